namespace StrixOS.Memory;

/// <summary>Consecutive pages of one size in one half of the address space. Use with foreach.</summary>
public readonly struct PageRange
{
    private PageRange(Page start, ulong count)
    {
        Start = start;
        Count = count;
    }

    public Page Start { get; }
    public ulong Count { get; }
    public bool IsEmpty => Count == 0;

    /// <summary><paramref name="count"/> pages from <paramref name="start"/>; an error if they leave its half.</summary>
    public static Result<PageRange, AddressError> TryNew(Page start, ulong count)
    {
        ulong value = start.StartAddress.Value;
        ulong room = (start.StartAddress.IsLowerHalf ? VirtAddr.LowerHalfEnd - value : 0UL - value) >> start.Size.Shift();
        return count <= room ? new PageRange(start, count) : AddressError.InvalidRange;
    }

    internal static PageRange NewUnchecked(Page start, ulong count) => new(start, count);

    public Enumerator GetEnumerator() => new(Start, Count);

    public struct Enumerator
    {
        private readonly ulong _start;
        private readonly PageSize _size;
        private readonly ulong _count;
        private ulong _next;

        internal Enumerator(Page start, ulong count)
        {
            _start = start.StartAddress.Value;
            _size = start.Size;
            _count = count;
            _next = 0;
            Current = default;
        }

        public Page Current { get; private set; }

        public bool MoveNext()
        {
            if (_next == _count)
                return false;
            Current = Page.NewUnchecked(_start + (_next << _size.Shift()), _size);
            _next++;
            return true;
        }
    }
}
