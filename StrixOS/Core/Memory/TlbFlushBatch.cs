namespace StrixOS.Memory;

/// <summary>
/// Collects the pages a range operation changed and flushes them at the end: one invlpg each up to
/// <see cref="Capacity"/> pages, one full flush beyond that. Global pages survive a full flush (CR3 reload),
/// so they are always flushed one by one, at once.
/// </summary>
internal unsafe struct TlbFlushBatch
{
    public const int Capacity = 32;

    private fixed ulong _addresses[Capacity];
    private int _count;
    private bool _flushAll;

    /// <summary>Records a page whose entry was just changed.</summary>
    public void Add(ulong virtualAddress, bool global, IPagingHardware hardware)
    {
        if (global)
        {
            hardware.FlushPage(virtualAddress);
            return;
        }
        if (_flushAll)
            return;
        if (_count == Capacity)
        {
            _flushAll = true;
            return;
        }
        _addresses[_count++] = virtualAddress;
    }

    public void Finish(IPagingHardware hardware)
    {
        if (_flushAll)
        {
            hardware.FlushAll();
            return;
        }
        for (int i = 0; i < _count; i++)
            hardware.FlushPage(_addresses[i]);
        _count = 0;
    }
}
