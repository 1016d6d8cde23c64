namespace StrixOS.Memory.PhysicalMemory;

/// <summary>
/// One bit per frame in raw memory (the allocator carves it from a Usable region and reaches it through the
/// offset map): 1 means free. Range operations work a 64-bit word at a time.
/// </summary>
internal readonly unsafe struct FrameBitmap
{
    private readonly ulong* _words;

    public FrameBitmap(ulong* words) => _words = words;

    public bool Get(ulong bit) => (_words[bit >> 6] & (1UL << (int)(bit & 63))) != 0;

    public void Set(ulong bit) => _words[bit >> 6] |= 1UL << (int)(bit & 63);

    public void Clear(ulong bit) => _words[bit >> 6] &= ~(1UL << (int)(bit & 63));

    public void SetRange(ulong first, ulong count) => Apply(first, count, set: true);

    public void ClearRange(ulong first, ulong count) => Apply(first, count, set: false);

    /// <summary>True when no bit in [first, first + count) is set.</summary>
    public bool IsRangeClear(ulong first, ulong count)
    {
        while (count > 0)
        {
            ulong word = first >> 6;
            int shift = (int)(first & 63);
            ulong take = 64 - (ulong)shift < count ? 64 - (ulong)shift : count;
            ulong mask = take == 64 ? ulong.MaxValue : ((1UL << (int)take) - 1) << shift;
            if ((_words[word] & mask) != 0)
                return false;
            first += take;
            count -= take;
        }
        return true;
    }

    private void Apply(ulong first, ulong count, bool set)
    {
        while (count > 0)
        {
            ulong word = first >> 6;
            int shift = (int)(first & 63);
            ulong take = 64 - (ulong)shift < count ? 64 - (ulong)shift : count;
            ulong mask = take == 64 ? ulong.MaxValue : ((1UL << (int)take) - 1) << shift;
            if (set)
                _words[word] |= mask;
            else
                _words[word] &= ~mask;
            first += take;
            count -= take;
        }
    }
}
