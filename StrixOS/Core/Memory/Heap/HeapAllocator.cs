using System;

namespace StrixOS.Memory.Heap;

/// <summary>
/// The kernel heap: a virtual range grown on demand through <see cref="IHeapBacking"/>, with a reusing
/// allocator on top.
/// <para>Layout: a table of one 32-bit descriptor per page (<see cref="PageDescriptor"/>) at the start of the
/// range, then the data pages. Requests up to 2048 bytes are served from slabs, runs of pages cut into slots
/// of one of 24 size classes (<see cref="SizeClasses"/>); larger ones get whole pages. Free pages form runs
/// that merge with their neighbours, kept in lists by size; slabs and large blocks are cut from them, and the
/// heap grows only when no run is long enough.</para>
/// <para>Ready for a garbage collector: every live block is found by walking the descriptor table
/// (<see cref="AllocatedBlocks"/>), with its size, without trusting the contents of any block; objects are
/// never moved, so the runtime's [header][MethodTable*][fields] layout works unchanged.</para>
/// <para>Blocks are zeroed and 16-byte aligned. Errors are values: <see cref="HeapError.OutOfMemory"/>, and
/// frees of foreign, interior or already-free addresses are refused without changing anything. Not
/// reentrant: one CPU, and no allocation from interrupt handlers while an allocation runs.</para>
/// </summary>
public sealed unsafe partial class HeapAllocator
{
    public const ulong PageSize = 4096;
    public const ulong Alignment = 16;
    private const int PageShift = 12;
    /// <summary>Grow by at least this much, so small allocations do not call the backing every few pages.</summary>
    public const ulong MinimumGrowthBytes = 64 * 1024;
    /// <summary>The most a heap range may span: 512 GiB, one P4 slot (page counts must fit in 28 bits).</summary>
    public const ulong MaxRangeBytes = 512UL << 30;

    private readonly ulong _start;
    private readonly ulong _maxPages;
    private readonly ulong _dataFirst;
    private readonly IHeapBacking _backing;
    private readonly uint* _descriptors;
    private ulong _top;
    private ulong _descriptorPagesMapped;

    private HeapAllocator(ulong start, ulong maxBytes, IHeapBacking backing)
    {
        _start = start;
        _maxPages = maxBytes >> PageShift;
        _dataFirst = (_maxPages * sizeof(uint) + PageSize - 1) >> PageShift;
        _top = _dataFirst;
        _backing = backing;
        _descriptors = (uint*)start;
        // Slots per slab and where they start, per class: as many as fit after the header and its bitmap.
        for (int c = 0; c < SizeClasses.Count; c++)
        {
            ulong slotSize = SizeClasses.SlotSize(c);
            ulong slabBytes = (ulong)SizeClasses.SlabPages(c) * PageSize;
            ulong slots = slabBytes / slotSize;
            while (SlabHeader.FirstSlotOffsetFor(slots) + slots * slotSize > slabBytes)
                slots--;
            _slotCounts[c] = (ushort)slots;
            _firstSlotOffsets[c] = (ushort)SlabHeader.FirstSlotOffsetFor(slots);
        }
    }

    /// <summary>
    /// A heap over [<paramref name="start"/>, + <paramref name="maxBytes"/>): 4 KiB aligned, in one half of the
    /// address space, between 64 KiB and 512 GiB. Nothing is mapped until the first allocation.
    /// </summary>
    public static Result<HeapAllocator, HeapError> Create(ulong start, ulong maxBytes, IHeapBacking backing)
    {
        if (((start | maxBytes) & (PageSize - 1)) != 0 || maxBytes < 2 * MinimumGrowthBytes || maxBytes > MaxRangeBytes)
            return HeapError.InvalidRange;
        ulong last = start + (maxBytes - 1);
        if (last < start || !VirtAddr.IsCanonical(start) || !VirtAddr.IsCanonical(last) || (start < VirtAddr.LowerHalfEnd) != (last < VirtAddr.LowerHalfEnd))
            return HeapError.InvalidRange;
        return new HeapAllocator(start, maxBytes, backing);
    }

    public ulong Start => _start;
    public ulong MaxBytes => _maxPages << PageShift;
    /// <summary>Where data pages begin (after the descriptor table).</summary>
    public ulong DataStart => AddressOf(_dataFirst);
    /// <summary>End of the data pages mapped so far.</summary>
    public ulong DataEnd => AddressOf(_top);

    /// <summary>Bytes of live blocks (slot or page-run sizes, which may exceed the requests).</summary>
    public ulong BytesInUse { get; private set; }
    public ulong PeakBytesInUse { get; private set; }
    /// <summary>Bytes the backing has grown: descriptor table plus data pages (pages decommitted since included).</summary>
    public ulong BytesMapped => (_descriptorPagesMapped + (_top - _dataFirst)) << PageShift;
    /// <summary>Live blocks: slots and large blocks, plus the cells of regions as of the last sweep.</summary>
    public ulong LiveBlocks => _blocks + _regionCells;
    private ulong _blocks;
    public ulong GrowCount { get; private set; }

    /// <summary>
    /// A zeroed, 16-byte-aligned block of at least <paramref name="size"/> bytes (0 counts as 1), or
    /// <see cref="HeapError.OutOfMemory"/> (the kernel panics naming the size).
    /// </summary>
    public Result<ulong, HeapError> Allocate(ulong size)
    {
        ulong address;
        ulong blockSize;
        if (size <= SizeClasses.MaxSmallSize)
        {
            int sizeClass = SizeClasses.ClassOf(size);
            address = AllocateSlot(sizeClass);
            blockSize = SizeClasses.SlotSize(sizeClass);
        }
        else
        {
            if (size > MaxBytes)
                return HeapError.OutOfMemory;
            ulong pages = (size + PageSize - 1) >> PageShift;
            address = AllocateLarge(pages);
            blockSize = pages << PageShift;
        }
        if (address == 0)
            return HeapError.OutOfMemory;
        Zero(address, blockSize);
        BytesInUse += blockSize;
        if (BytesInUse > PeakBytesInUse)
            PeakBytesInUse = BytesInUse;
        _blocks++;
        return address;
    }

    /// <summary>Frees the block starting at <paramref name="address"/>; returns its size, or why it refused.</summary>
    public Result<ulong, HeapError> Free(ulong address)
    {
        Result<ulong, HeapError> found = Locate(address, out ulong slab);
        if (!found.TryGetValue(out ulong size))
            return found;
        BytesInUse -= size;
        if (slab == RegionCell)
        {
            FreeCell(address, size);
            return size;
        }
        if (slab != 0)
            FreeSlot(slab, address);
        else
            ReleasePages(PageOf(address), size >> PageShift);
        _blocks--;
        return size;
    }

    /// <summary><see cref="Locate"/>'s slab for a cell of a region.</summary>
    private const ulong RegionCell = 1;

    /// <summary>The size of the live block starting at <paramref name="address"/>.</summary>
    public Result<ulong, HeapError> SizeOf(ulong address) => Locate(address, out _);

    /// <summary>True when <paramref name="address"/> lies in the heap's mapped data pages.</summary>
    public bool Contains(ulong address) => address >= DataStart && address < DataEnd;

    /// <summary>Every live block, in address order: a struct enumerator, no allocation. Do not allocate or free
    /// while enumerating.</summary>
    public HeapBlocks AllocatedBlocks => new(this);

    /// <summary>Finds the live block at <paramref name="address"/>: its size, and its slab (0 for a large block, <see cref="RegionCell"/> for a cell).</summary>
    private Result<ulong, HeapError> Locate(ulong address, out ulong slab)
    {
        slab = 0;
        if (!Contains(address))
            return HeapError.NotInHeap;
        ulong page = PageOf(address);
        uint descriptor = _descriptors[page];
        switch (PageDescriptor.KindOf(descriptor))
        {
            case PageKind.Slab:
                slab = AddressOf(page - PageDescriptor.ValueOf(descriptor));
                return LocateSlot(slab, address);
            case PageKind.LargeHead:
                if ((address & (PageSize - 1)) != 0)
                    return HeapError.NotBlockStart;
                return PageDescriptor.ValueOf(descriptor) << PageShift;
            case PageKind.LargeBody:
                return HeapError.NotBlockStart;
            case PageKind.RegionHead:
            case PageKind.RegionBody:
                slab = RegionCell;
                return LocateCell(RegionOf(page, descriptor), address);
            case PageKind.FreeRun:
                return HeapError.DoubleFree;
            default:
                return HeapError.NotInHeap;
        }
    }

    internal ulong AddressOf(ulong page) => _start + (page << PageShift);

    private ulong PageOf(ulong address) => (address - _start) >> PageShift;

    internal uint DescriptorAt(ulong page) => _descriptors[page];

    internal ulong FirstDataPage => _dataFirst;

    internal ulong TopPage => _top;

    private static void Zero(ulong address, ulong bytes)
    {
        const ulong Chunk = 1UL << 30;
        while (bytes > 0)
        {
            ulong take = bytes < Chunk ? bytes : Chunk;
            new Span<byte>((void*)address, (int)take).Clear();
            address += take;
            bytes -= take;
        }
    }
}
