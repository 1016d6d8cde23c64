namespace StrixOS.Runtime.Unwinding;

/// <summary>
/// What the unwinder decoded for one code address (a return address - 1, or a faulting IP): the
/// FDE, the method record from its LSDA, and the CFI row in effect there. Every stack walk passes
/// the same return addresses again (CoreLib's dispatcher walks each frame twice, once per pass, and
/// a program throws from the same places), and the image never changes, so decoding each address
/// once is enough.
/// </summary>
public struct DecodedFrame
{
    public ulong Pc;
    public FrameDescription Code;
    public ManagedMethodInfo Method;
    public UnwindRow Row;
    /// <summary>False when the FDE's call-frame instructions did not decode at <see cref="Pc"/>.</summary>
    public bool HasRow;
}

/// <summary>
/// A direct-mapped cache of <see cref="DecodedFrame"/>s keyed by code address: a lookup is a hash
/// and one compare, a miss simply replaces the slot. Fixed size, allocated once; no eviction list.
/// </summary>
public sealed class UnwindCache
{
    private readonly DecodedFrame[] _slots;
    private readonly int _shift;

    /// <param name="log2Capacity">The cache holds 2^log2Capacity frames (1..16).</param>
    public UnwindCache(int log2Capacity)
    {
        if (log2Capacity < 1)
            log2Capacity = 1;
        if (log2Capacity > 16)
            log2Capacity = 16;
        _slots = new DecodedFrame[1 << log2Capacity];
        _shift = 64 - log2Capacity;
    }

    public int Capacity => _slots.Length;
    public long Hits { get; private set; }
    public long Misses { get; private set; }

    /// <summary>The cached frame for <paramref name="pc"/>, if this slot holds it.</summary>
    public bool TryGet(ulong pc, out DecodedFrame frame)
    {
        ref DecodedFrame slot = ref _slots[Slot(pc)];
        if (slot.Pc == pc && pc != 0)
        {
            Hits++;
            frame = slot;
            return true;
        }
        Misses++;
        frame = default;
        return false;
    }

    public void Put(in DecodedFrame frame)
    {
        if (frame.Pc != 0)
            _slots[Slot(frame.Pc)] = frame;
    }

    // Fibonacci hashing: return addresses cluster, the multiply spreads their low bits over the index.
    private int Slot(ulong pc) => (int)((pc * 0x9E37_79B9_7F4A_7C15UL) >> _shift);
}
