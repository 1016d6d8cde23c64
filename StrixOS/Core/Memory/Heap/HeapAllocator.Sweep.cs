namespace StrixOS.Memory.Heap;

/// <summary>Tells <see cref="HeapAllocator.Sweep"/> which blocks stay.</summary>
public interface IBlockLiveness
{
    bool IsLive(ulong block);

    /// <summary>
    /// Where live blocks start among the <see cref="HeapAllocator.LiveStartsSpan"/> bytes from <paramref name="address"/>
    /// (aligned to that span, inside a region): bit i set when a live block starts at <c>address + 16 i</c>. What a
    /// collector's mark bitmap holds (one bit per 16 bytes); the sweep reads the cells of regions through it.
    /// </summary>
    ulong LiveStarts(ulong address);
}

/// <summary>What one <see cref="HeapAllocator.Sweep"/> freed.</summary>
public struct SweepResult
{
    /// <summary>Slab slots and large blocks freed (dead cells of regions are not read, so not counted: see <see cref="FreedBytes"/>).</summary>
    public ulong FreedBlocks;
    public ulong FreedBytes;
    public ulong LiveBlocks;
    public ulong LiveBytes;
    /// <summary>Slabs that became empty and large blocks freed: their pages went back to the free runs.</summary>
    public ulong ReleasedRuns;
}

/// <summary>
/// What a mark-sweep collector needs from the heap: free every block the caller's liveness test rejects in
/// one walk of the descriptor table, find the block an interior address falls in, and give the memory of
/// free runs back to the backing.
/// </summary>
public sealed unsafe partial class HeapAllocator
{
    private bool _decommitted;

    /// <summary>Pages given back by <see cref="DecommitFreeRuns"/> since the heap was made.</summary>
    public ulong DecommittedPages { get; private set; }

    /// <summary>
    /// Frees every live block for which <paramref name="liveness"/> says false. Slots go back to their slab
    /// (a slab that empties returns its pages to the free runs), large blocks to the free runs, the space between
    /// the live cells of a region to free cells. The liveness test must not allocate or free, and every chunk
    /// taken must have come back (<see cref="ReturnChunkTail"/>): the heap then holds exactly what lives.
    /// </summary>
    public SweepResult Sweep<TLiveness>(ref TLiveness liveness) where TLiveness : struct, IBlockLiveness
    {
        var result = new SweepResult();
        ulong inUseBefore = BytesInUse;
        // Runs to release are chained through their own first word and released after the walk, so the walk
        // never meets a run merged under its feet. (address, pages) pairs: first word = next, second = pages.
        ulong releaseChain = 0;
        ulong page = _dataFirst;
        // Free cells are found again, merged with what dies now.
        _gaps = 0;
        _regionCells = 0;
        while (page < _top)
        {
            uint descriptor = _descriptors[page];
            ulong value = PageDescriptor.ValueOf(descriptor);
            switch (PageDescriptor.KindOf(descriptor))
            {
                case PageKind.FreeRun:
                    page += value == 0 ? 1 : value;
                    break;
                case PageKind.LargeHead:
                {
                    ulong address = AddressOf(page);
                    ulong bytes = value << PageShift;
                    if (liveness.IsLive(address))
                    {
                        result.LiveBlocks++;
                        result.LiveBytes += bytes;
                    }
                    else
                    {
                        result.FreedBlocks++;
                        _blocks--;
                        ((ulong*)address)[0] = releaseChain;
                        ((ulong*)address)[1] = value;
                        releaseChain = address;
                    }
                    page += value;
                    break;
                }
                case PageKind.Slab:
                {
                    ulong slab = AddressOf(page);
                    ulong pages = HeaderOf(slab)->Pages;
                    if (SweepSlab(slab, ref liveness, ref result))
                    {
                        ((ulong*)slab)[0] = releaseChain;
                        ((ulong*)slab)[1] = pages;
                        releaseChain = slab;
                    }
                    page += pages;
                    break;
                }
                case PageKind.RegionHead:
                {
                    ulong region = AddressOf(page);
                    if (SweepRegion(region, region + (value << PageShift), ref liveness, ref result))
                    {
                        ((ulong*)region)[0] = releaseChain;
                        ((ulong*)region)[1] = value;
                        releaseChain = region;
                    }
                    page += value;
                    break;
                }
                default:
                    page++;  // a corrupt table: skip the page rather than loop
                    break;
            }
        }
        // Every block in use was swept (chunks handed to bump allocators must have come back first): what is in
        // use now is what lives.
        BytesInUse = result.LiveBytes;
        result.FreedBytes = inUseBefore - result.LiveBytes;
        while (releaseChain != 0)
        {
            ulong next = ((ulong*)releaseChain)[0];
            ReleasePages(PageOf(releaseChain), ((ulong*)releaseChain)[1]);
            result.ReleasedRuns++;
            releaseChain = next;
        }
        return result;
    }

    /// <summary>Frees the dead slots of one slab; true when it is now empty (unlinked, for the caller to release).</summary>
    private bool SweepSlab<TLiveness>(ulong slab, ref TLiveness liveness, ref SweepResult result) where TLiveness : struct, IBlockLiveness
    {
        SlabHeader* header = HeaderOf(slab);
        ulong* bitmap = BitmapOf(slab);
        ulong first = slab + header->FirstSlotOffset;
        ulong slotSize = header->SlotSize;
        bool wasFull = header->FreeCount == 0;
        ulong words = ((ulong)header->Bump + 63) >> 6;
        for (ulong w = 0; w < words; w++)
        {
            ulong bits = bitmap[w];
            while (bits != 0)
            {
                int bit = System.Numerics.BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                ulong slot = first + ((w << 6) + (ulong)bit) * slotSize;
                if (liveness.IsLive(slot))
                {
                    result.LiveBlocks++;
                    result.LiveBytes += slotSize;
                    continue;
                }
                bitmap[w] &= ~(1UL << bit);
                *(ulong*)slot = header->FreeList;
                header->FreeList = slot;
                header->FreeCount++;
                result.FreedBlocks++;
                _blocks--;
            }
        }
        if (header->FreeCount == header->SlotCount)
        {
            if (!wasFull)
                Unlink(slab);
            return true;
        }
        if (wasFull && header->FreeCount > 0)
            PushFront(slab, header->SizeClass);
        return false;
    }

    /// <summary>
    /// The start of the live block that contains <paramref name="address"/> (anywhere inside it), or 0 when the
    /// address is in no live block: what a collector does with an interior pointer.
    /// </summary>
    public ulong BlockContaining(ulong address)
    {
        if (!Contains(address))
            return 0;
        ulong page = PageOf(address);
        uint descriptor = _descriptors[page];
        switch (PageDescriptor.KindOf(descriptor))
        {
            case PageKind.Slab:
            {
                ulong slab = AddressOf(page - PageDescriptor.ValueOf(descriptor));
                SlabHeader* header = HeaderOf(slab);
                ulong first = slab + header->FirstSlotOffset;
                if (address < first)
                    return 0;
                ulong index = (address - first) / header->SlotSize;
                if (index >= header->Bump || (BitmapOf(slab)[index >> 6] & (1UL << (int)(index & 63))) == 0)
                    return 0;
                return first + index * header->SlotSize;
            }
            case PageKind.LargeHead:
                return AddressOf(page);
            case PageKind.LargeBody:
                return AddressOf(page - PageDescriptor.ValueOf(descriptor));
            case PageKind.RegionHead:
            case PageKind.RegionBody:
                return CellContaining(RegionOf(page, descriptor), address);
            default:
                return 0;
        }
    }

    // Pages that became free since the last DecommitFreeRuns, committed: (first page, pages) pairs. Only these
    // can need decommitting, so a collection does not walk pages it gave back before. When the list overflows,
    // the next DecommitFreeRuns walks every free run instead.
    private const int ReleasedCapacity = 1024;
    private readonly ulong[] _released = new ulong[2 * ReleasedCapacity];
    private int _releasedCount;
    private bool _releasedOverflow;

    private void NoteReleased(ulong first, ulong pages)
    {
        if (_releasedCount > 0)
        {
            int last = 2 * (_releasedCount - 1);
            // Sweeps release neighbours one after another: extend the last range.
            if (first + pages == _released[last])
            {
                _released[last] = first;
                _released[last + 1] += pages;
                return;
            }
            if (_released[last] + _released[last + 1] == first)
            {
                _released[last + 1] += pages;
                return;
            }
        }
        if (_releasedCount == ReleasedCapacity)
        {
            _releasedOverflow = true;
            return;
        }
        _released[2 * _releasedCount] = first;
        _released[2 * _releasedCount + 1] = pages;
        _releasedCount++;
    }

    /// <summary>
    /// Gives the memory of free runs back to the backing, all but each run's first page (it holds the run's
    /// list node); allocation commits pages again as it takes them. Only pages freed since the last call are
    /// looked at (pages given back before stay given back). Up to <paramref name="retainPages"/> of them, the
    /// earliest freed, stay committed for the next allocations (a collector's reserve: what it would map again
    /// right away) and are looked at again next time. Returns the pages given back now.
    /// </summary>
    public ulong DecommitFreeRuns(ulong retainPages = 0)
    {
        ulong given = _releasedOverflow ? DecommitEveryRun() : DecommitReleasedSince(retainPages);
        if (given != 0)
            _decommitted = true;
        DecommittedPages += given;
        return given;
    }

    /// <summary>The pages of the released ranges, but the first <paramref name="retainPages"/>' worth, which stay listed.</summary>
    private ulong DecommitReleasedSince(ulong retainPages)
    {
        MergeReleased();
        ulong given = 0;
        ulong retained = 0;
        int kept = 0;
        for (int i = 0; i < _releasedCount; i++)
        {
            ulong first = _released[2 * i], pages = _released[2 * i + 1];
            ulong keep = retainPages - retained < pages ? retainPages - retained : pages;
            if (keep > 0)
            {
                retained += keep;
                _released[2 * kept] = first;
                _released[2 * kept + 1] = keep;
                kept++;
            }
            if (pages > keep)
                given += DecommitReleased(first + keep, pages - keep);
        }
        _releasedCount = kept;
        return given;
    }

    /// <summary>Sorts the released ranges and merges those that overlap or touch (a page freed, taken and freed
    /// again is listed twice), so a page kept in the reserve is not given back through another entry.</summary>
    private void MergeReleased()
    {
        for (int i = 1; i < _releasedCount; i++)
        {
            ulong first = _released[2 * i], pages = _released[2 * i + 1];
            int j = i - 1;
            for (; j >= 0 && _released[2 * j] > first; j--)
            {
                _released[2 * j + 2] = _released[2 * j];
                _released[2 * j + 3] = _released[2 * j + 1];
            }
            _released[2 * j + 2] = first;
            _released[2 * j + 3] = pages;
        }
        int merged = 0;
        for (int i = 0; i < _releasedCount; i++)
        {
            ulong first = _released[2 * i], end = first + _released[2 * i + 1];
            if (merged > 0 && first <= _released[2 * merged - 2] + _released[2 * merged - 1])
            {
                ulong mergedEnd = _released[2 * merged - 2] + _released[2 * merged - 1];
                if (end > mergedEnd)
                    _released[2 * merged - 1] = end - _released[2 * merged - 2];
                continue;
            }
            _released[2 * merged] = first;
            _released[2 * merged + 1] = end - first;
            merged++;
        }
        _releasedCount = merged;
    }

    /// <summary>After the released list overflowed: every free run but its first page.</summary>
    private ulong DecommitEveryRun()
    {
        ulong given = 0;
        for (int bucket = 0; bucket < RunBuckets; bucket++)
        {
            for (ulong run = _runHeads[bucket]; run != 0; run = NodeOf(run)->Next)
            {
                ulong length = PageDescriptor.ValueOf(_descriptors[run]);
                if (length > 1)
                    given += _backing.Decommit(AddressOf(run + 1), (length - 1) << PageShift);
            }
        }
        _releasedCount = 0;
        _releasedOverflow = false;
        return given;
    }

    /// <summary>Decommits the pages of [first, first + pages) that are still free and not the first page of their run.</summary>
    private ulong DecommitReleased(ulong first, ulong pages)
    {
        ulong given = 0;
        ulong end = first + pages < _top ? first + pages : _top;
        ulong page = first;
        while (page < end)
        {
            if (!IsFreeRunInterior(page))
            {
                page++;
                continue;
            }
            ulong stop = page + 1;
            while (stop < end && IsFreeRunInterior(stop))
                stop++;
            given += _backing.Decommit(AddressOf(page), (stop - page) << PageShift);
            page = stop;
        }
        return given;
    }

    /// <summary>A free page that is not its run's first (runs always merge, so a first page follows no free page).</summary>
    private bool IsFreeRunInterior(ulong page) =>
        page > _dataFirst && PageDescriptor.KindOf(_descriptors[page]) == PageKind.FreeRun
        && PageDescriptor.KindOf(_descriptors[page - 1]) == PageKind.FreeRun;

    /// <summary>The memory behind this heap (a second heap can share it).</summary>
    public IHeapBacking Backing => _backing;
}
