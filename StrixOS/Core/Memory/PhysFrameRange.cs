namespace StrixOS.Memory;

/// <summary>Consecutive frames of one size: <see cref="Count"/> frames from <see cref="Start"/>. Use with foreach.</summary>
public readonly struct PhysFrameRange
{
    private PhysFrameRange(PhysFrame start, ulong count)
    {
        Start = start;
        Count = count;
    }

    public PhysFrame Start { get; }
    public ulong Count { get; }
    public bool IsEmpty => Count == 0;

    /// <summary><paramref name="count"/> frames from <paramref name="start"/>; an error if they pass the 52-bit limit.</summary>
    public static Result<PhysFrameRange, AddressError> TryNew(PhysFrame start, ulong count)
    {
        ulong room = (PhysAddr.Limit - start.StartAddress.Value) >> start.Size.Shift();
        return count <= room ? new PhysFrameRange(start, count) : AddressError.InvalidRange;
    }

    internal static PhysFrameRange NewUnchecked(PhysFrame start, ulong count) => new(start, count);

    public Enumerator GetEnumerator() => new(Start, Count);

    public struct Enumerator
    {
        private readonly ulong _start;
        private readonly PageSize _size;
        private readonly ulong _count;
        private ulong _next;

        internal Enumerator(PhysFrame start, ulong count)
        {
            _start = start.StartAddress.Value;
            _size = start.Size;
            _count = count;
            _next = 0;
            Current = default;
        }

        public PhysFrame Current { get; private set; }

        public bool MoveNext()
        {
            if (_next == _count)
                return false;
            Current = PhysFrame.NewUnchecked(_start + (_next << _size.Shift()), _size);
            _next++;
            return true;
        }
    }
}
