namespace StrixOS.Memory.Heap;

/// <summary>
/// The kernel's <see cref="IHeapBacking"/>: maps each new heap page to a fresh frame through the kernel's page
/// table (<see cref="OffsetPageTable.MapTo"/>), writable and not executable. Allocates nothing from the heap, so
/// it is safe to call from inside an allocation.
/// </summary>
public sealed class PageTableHeapBacking : IHeapBacking
{
    public const PageTableFlags DefaultFlags = PageTableFlags.Present | PageTableFlags.Writable | PageTableFlags.NoExecute;

    private readonly OffsetPageTable _table;
    private readonly IFrameAllocator _allocator;
    private readonly IFrameDeallocator _deallocator;
    private readonly PageTableFlags _flags;

    /// <param name="kernelTable">The kernel's page table, where heap pages are mapped.</param>
    /// <param name="flags">Leaf flags; add <see cref="PageTableFlags.Global"/> once CR4.PGE is on, so heap
    /// pages survive address-space switches in the TLB.</param>
    /// <param name="frames">Gives the frames (and any page tables) the heap grows into; takes them back when a
    /// growth rolls back.</param>
    public PageTableHeapBacking(OffsetPageTable kernelTable, IFrameStore frames, PageTableFlags flags = DefaultFlags)
    {
        _table = kernelTable;
        _allocator = frames;
        _deallocator = frames;
        _flags = flags | PageTableFlags.Present;
    }

    /// <summary>Frames mapped so far (for the kernel's accounting).</summary>
    public ulong FramesMapped { get; private set; }

    /// <summary>
    /// Maps [virtualStart, + bytes) page by page. If a frame or a page table runs out half way, the pages mapped
    /// by this call are unmapped and their frames given back; page tables it created stay (the next growth
    /// reuses them).
    /// </summary>
    public bool Grow(ulong virtualStart, ulong bytes)
    {
        if (((virtualStart | bytes) & 0xFFF) != 0 || !VirtAddr.TryNew(virtualStart).TryGetValue(out VirtAddr start))
            return false;
        ulong pages = bytes >> 12;
        if (!_allocator.CanAllocate(pages))
            return false;
        for (ulong i = 0; i < pages; i++)
        {
            Page page = Page.NewUnchecked(start.Value + (i << 12), PageSize.Size4KiB);
            if (!_allocator.AllocateFrame().TryGetValue(out PhysFrame frame))
            {
                RollBack(start.Value, i);
                return false;
            }
            if (_table.MapTo(page, frame, _flags, _allocator).IsError)
            {
                _deallocator.DeallocateFrame(frame);
                RollBack(start.Value, i);
                return false;
            }
        }
        FramesMapped += pages;
        return true;
    }

    /// <summary>Maps a fresh frame at each page of the range that has none. A failure half way leaves the
    /// pages mapped so far mapped (harmless: the next <see cref="Decommit"/> of a free run takes them back).</summary>
    public bool Commit(ulong virtualStart, ulong bytes)
    {
        ulong pages = bytes >> 12;
        for (ulong i = 0; i < pages; i++)
        {
            ulong address = virtualStart + (i << 12);
            if (_table.Translate(VirtAddr.NewUnchecked(address)).IsOk)
                continue;
            if (!_allocator.AllocateFrame().TryGetValue(out PhysFrame frame))
                return false;
            if (_table.MapTo(Page.NewUnchecked(address, PageSize.Size4KiB), frame, _flags, _allocator).IsError)
            {
                _deallocator.DeallocateFrame(frame);
                return false;
            }
            FramesMapped++;
        }
        return true;
    }

    public ulong Decommit(ulong virtualStart, ulong bytes)
    {
        ulong pages = bytes >> 12;
        ulong freed = 0;
        for (ulong i = 0; i < pages; i++)
        {
            if (_table.Unmap(Page.NewUnchecked(virtualStart + (i << 12), PageSize.Size4KiB)).TryGetValue(out PhysFrame frame))
            {
                _deallocator.DeallocateFrame(frame);
                freed++;
            }
        }
        FramesMapped -= freed;
        return freed;
    }

    private void RollBack(ulong start, ulong pages)
    {
        for (ulong i = 0; i < pages; i++)
        {
            if (_table.Unmap(Page.NewUnchecked(start + (i << 12), PageSize.Size4KiB)).TryGetValue(out PhysFrame frame))
                _deallocator.DeallocateFrame(frame);
        }
    }
}
