namespace StrixOS.Memory;

/// <summary>Freeing page tables that map nothing.</summary>
public sealed unsafe partial class OffsetPageTable
{
    /// <summary>
    /// Frees every P3, P2 and P1 table that is empty (all entries unused), bottom-up, so a table whose
    /// children were all freed goes too; the level-4 table stays, and so do the kernel-half P3 tables while
    /// address spaces share them (<see cref="SharesKernelHalf"/>). Returns how many tables were freed, then
    /// flushes the whole TLB (cached parent entries may still point at them). The caller guarantees that
    /// every table below this level-4 table came from <paramref name="deallocator"/>'s pool and is not shared
    /// with another address space.
    /// </summary>
    public ulong CleanUp(IFrameDeallocator deallocator) => CleanUpWithin(0, AddressSpaceMask, deallocator);

    /// <summary>Like <see cref="CleanUp"/>, limited to tables that only cover addresses in
    /// [start, start + length).</summary>
    public Result<ulong, MapError> CleanUpRange(VirtAddr start, ulong length, IFrameDeallocator deallocator)
    {
        if (length == 0)
            return 0UL;
        if (start.TryAdd(length - 1).IsError)
            return MapError.RangeOutOfBounds;
        ulong first = start.Value & AddressSpaceMask;
        return CleanUpWithin(first, first + (length - 1), deallocator);
    }

    private ulong CleanUpWithin(ulong first, ulong last, IFrameDeallocator deallocator)
    {
        ulong freed = 0;
        var walker = new TableWalker(_level4, first, last);
        while (walker.Next())
        {
            PageTableEntry* entry = walker.Entry;
            if (!entry->IsPresent || IsHuge(entry))
                continue;
            // Bottom-up: a P3 or P2 table is looked at when the walk comes back from it (a P1 table at once,
            // its entries are leaves), after every table below it had its chance to go.
            if (walker.Level > PageTableLevel.Two && !walker.IsReturn)
            {
                walker.Enter(TableAt(entry->Address.Value), returnAfter: true);
                continue;
            }
            PhysAddr childAddress = entry->Address;
            // A shared kernel-half level-3 table stays: address spaces hold copies of the entry pointing at it.
            if (walker.CoversEntry && TableAt(childAddress.Value)->IsEmpty
                && !(walker.Level == PageTableLevel.Four && KeepsLevel3Table(entry)))
            {
                entry->SetUnused();
                deallocator.DeallocateFrame(PhysFrame.NewUnchecked(childAddress.Value, PageSize.Size4KiB));
                freed++;
            }
        }
        if (freed > 0)
            _hardware.FlushAll();
        return freed;
    }
}
