namespace StrixOS.Memory.Heap;

/// <summary>A zeroed piece of a region that a bump allocator cuts into cells: [<see cref="Start"/>, <see cref="End"/>).</summary>
public readonly struct HeapChunk
{
    public HeapChunk(ulong start, ulong end)
    {
        Start = start;
        End = end;
    }

    public ulong Start { get; }
    public ulong End { get; }
}

/// <summary>
/// Regions: page runs handed out in chunks to bump allocators (a garbage collector's allocation contexts),
/// which cut them into <em>cells</em> of any size without calling the heap. A cell is 16-byte aligned, a
/// multiple of 16 bytes long, and starts with a 32-bit word: its length in 16-byte units, with
/// <see cref="FreeCellFlag"/> set for free space. So a region is walkable from its first page without trusting
/// anything else in it, and the heap never needs to know what a cell holds. Whoever cuts a chunk writes each
/// cell's word (<see cref="CellWord"/>) and gives the unused tail back (<see cref="ReturnChunkTail"/>) before
/// anything walks the heap (sweep, enumeration, <see cref="BlockContaining"/>).
/// <para>A sweep merges dead cells and free space into free cells; a region left with no live cell returns
/// its pages to the page runs, and free cells of at least <see cref="MinimumGapBytes"/> in the others go on a
/// list that <see cref="TakeChunk"/> serves first (a non-moving heap reuses its holes).</para>
/// </summary>
public sealed unsafe partial class HeapAllocator
{
    /// <summary>A new region's size: 16 pages.</summary>
    public const ulong RegionBytes = 64 * 1024;
    /// <summary>The largest cell a chunk may need; larger blocks are page runs of their own (<see cref="Allocate"/>).</summary>
    public const ulong MaxCellBytes = 16 * 1024;
    /// <summary>Free cells shorter than this are not worth a refill: they wait for their region to empty.</summary>
    public const ulong MinimumGapBytes = 256;
    /// <summary>The bytes one <see cref="IBlockLiveness.LiveStarts"/> word covers: 64 granules of 16 bytes.</summary>
    public const ulong LiveStartsSpan = 64 * 16;
    /// <summary>Set in a cell's word when the cell is free space.</summary>
    public const uint FreeCellFlag = 0x8000_0000;

    // The free cells of at least MinimumGapBytes that the last sweep found, linked through their second word.
    private ulong _gaps;
    // Live cells of regions, as of the last sweep (bump allocators do not tell the heap about each cell).
    private ulong _regionCells;

    /// <summary>The word that starts a live cell of <paramref name="bytes"/> bytes (a multiple of 16).</summary>
    public static uint CellWord(ulong bytes) => (uint)(bytes >> 4);

    private static ulong CellBytes(ulong cell) => (ulong)(*(uint*)cell & ~FreeCellFlag) << 4;

    private static bool IsFreeCell(ulong cell) => (*(uint*)cell & FreeCellFlag) != 0;

    private static void MakeFreeCell(ulong cell, ulong bytes) => *(uint*)cell = CellWord(bytes) | FreeCellFlag;

    /// <summary>
    /// A zeroed chunk of at least <paramref name="minimumBytes"/> (a multiple of 16, at most <see cref="MaxCellBytes"/>)
    /// for a bump allocator: a free cell the last sweep found, else a new region. The chunk counts as in use
    /// until its tail comes back.
    /// </summary>
    public Result<HeapChunk, HeapError> TakeChunk(ulong minimumBytes)
    {
        if (minimumBytes > MaxCellBytes || (minimumBytes & 15) != 0)
            return HeapError.OutOfMemory;
        ulong start = TakeGap(minimumBytes);
        ulong end;
        if (start != 0)
        {
            end = start + CellBytes(start);
        }
        else
        {
            ulong pages = RegionBytes >> PageShift;
            ulong first = AllocatePages(pages);
            if (first == 0)
                return HeapError.OutOfMemory;
            _descriptors[first] = PageDescriptor.Make(PageKind.RegionHead, pages);
            for (ulong i = 1; i < pages; i++)
                _descriptors[first + i] = PageDescriptor.Make(PageKind.RegionBody, i);
            start = AddressOf(first);
            end = start + RegionBytes;
        }
        Zero(start, end - start);
        BytesInUse += end - start;
        if (BytesInUse > PeakBytesInUse)
            PeakBytesInUse = BytesInUse;
        return new HeapChunk(start, end);
    }

    /// <summary>Gives back the unused end [<paramref name="tail"/>, <paramref name="end"/>) of a chunk: it becomes a free cell.</summary>
    public void ReturnChunkTail(ulong tail, ulong end)
    {
        if (tail >= end)
            return;
        MakeFreeCell(tail, end - tail);
        BytesInUse -= end - tail;
    }

    /// <summary>The first listed free cell of at least <paramref name="bytes"/> among the first few, unlinked; 0 if none.</summary>
    private ulong TakeGap(ulong bytes)
    {
        ulong previous = 0;
        int looked = 0;
        for (ulong gap = _gaps; gap != 0 && looked < 16; gap = ((ulong*)gap)[1], looked++)
        {
            if (CellBytes(gap) < bytes)
            {
                previous = gap;
                continue;
            }
            ulong next = ((ulong*)gap)[1];
            if (previous == 0)
                _gaps = next;
            else
                ((ulong*)previous)[1] = next;
            return gap;
        }
        return 0;
    }

    /// <summary>Marks [<paramref name="start"/>, <paramref name="end"/>) free; lists it when it is worth a refill.</summary>
    private void CloseGap(ulong start, ulong end)
    {
        if (start == 0 || end <= start)
            return;
        MakeFreeCell(start, end - start);
        if (end - start < MinimumGapBytes)
            return;
        ((ulong*)start)[1] = _gaps;
        _gaps = start;
    }

    /// <summary>
    /// Frees the dead cells of one region, merging free space; true when no cell lives (the caller releases it).
    /// Only the live cells are read: the liveness test's bitmap words name where they start, and everything
    /// between two of them (dead cells, free cells, a returned tail) becomes one free cell without being walked,
    /// so the cost follows what survives, not what was allocated. The heap's counts are settled by
    /// <see cref="Sweep"/> from the live bytes.
    /// </summary>
    private bool SweepRegion<TLiveness>(ulong region, ulong end, ref TLiveness liveness, ref SweepResult result) where TLiveness : struct, IBlockLiveness
    {
        ulong freeFrom = region;
        bool anyLive = false;
        for (ulong granules = region; granules < end; granules += LiveStartsSpan)
        {
            ulong starts = liveness.LiveStarts(granules);
            while (starts != 0)
            {
                ulong cell = granules + ((ulong)System.Numerics.BitOperations.TrailingZeroCount(starts) << 4);
                starts &= starts - 1;
                ulong bytes = CellBytes(cell);
                if (cell < freeFrom || bytes == 0 || bytes > end - cell || IsFreeCell(cell))
                {
                    // A mark inside a live cell, or a cell word that does not add up: keep the rest of the region rather than guess.
                    result.LiveBytes += end - freeFrom;
                    return false;
                }
                CloseGap(freeFrom, cell);
                freeFrom = cell + bytes;
                anyLive = true;
                result.LiveBlocks++;
                result.LiveBytes += bytes;
                _regionCells++;
            }
        }
        if (!anyLive)
            return true;
        CloseGap(freeFrom, end);
        return false;
    }

    /// <summary>The live cell of the region at <paramref name="region"/> that contains <paramref name="address"/>; 0 if free or none.</summary>
    private ulong CellContaining(ulong region, ulong address)
    {
        ulong end = region + (PageDescriptor.ValueOf(_descriptors[PageOf(region)]) << PageShift);
        for (ulong cell = region; cell < end;)
        {
            ulong bytes = CellBytes(cell);
            if (bytes == 0)
                return 0;
            if (address < cell + bytes)
                return IsFreeCell(cell) ? 0 : cell;
            cell += bytes;
        }
        return 0;
    }

    /// <summary>The region a page of kind <see cref="PageKind.RegionHead"/> or <see cref="PageKind.RegionBody"/> belongs to.</summary>
    private ulong RegionOf(ulong page, uint descriptor) =>
        AddressOf(PageDescriptor.KindOf(descriptor) == PageKind.RegionHead ? page : page - PageDescriptor.ValueOf(descriptor));

    /// <summary>Frees the live cell at <paramref name="cell"/> (checked by <see cref="Locate"/>).</summary>
    private void FreeCell(ulong cell, ulong bytes)
    {
        MakeFreeCell(cell, bytes);
        if (_regionCells > 0)
            _regionCells--;
    }

    /// <summary>Checks that <paramref name="address"/> starts a live cell of its region; its size.</summary>
    private Result<ulong, HeapError> LocateCell(ulong region, ulong address)
    {
        if (CellContaining(region, address) == address)
            return CellBytes(address);
        return IsCellStartOfFree(region, address) ? HeapError.DoubleFree : HeapError.NotBlockStart;
    }

    private bool IsCellStartOfFree(ulong region, ulong address)
    {
        ulong end = region + (PageDescriptor.ValueOf(_descriptors[PageOf(region)]) << PageShift);
        for (ulong cell = region; cell < end;)
        {
            ulong bytes = CellBytes(cell);
            if (bytes == 0 || cell > address)
                return false;
            if (cell == address)
                return IsFreeCell(cell);
            cell += bytes;
        }
        return false;
    }
}
