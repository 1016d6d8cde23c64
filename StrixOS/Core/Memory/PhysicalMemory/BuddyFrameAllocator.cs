using System;
using System.Numerics;

namespace StrixOS.Memory.PhysicalMemory;

/// <summary>
/// The frame allocator that frees: a buddy allocator over the Usable regions, taking over from
/// <see cref="BootInfoFrameAllocator"/> after boot (<see cref="HandOver"/>).
/// <para>Free memory is kept as blocks of 2^order frames aligned to their own size, one doubly linked free
/// list per order. Allocation takes the smallest non-empty order that fits and splits it; freeing merges a
/// block with its buddy (the other half of their parent) for as long as the buddy is free too. Both are
/// O(log n), and any block is naturally aligned, so 2 MiB and 1 GiB frames come out of the same lists.</para>
/// <para>Metadata: one bit per Usable frame (1 = free), in frames carved out of a Usable region at hand-over,
/// plus per-region bounds and the list heads. The list links live inside the free blocks themselves
/// (<see cref="FreeBlockHeader"/>), read and written through the offset map; the free frames a range starts
/// with stay an untouched tail, cut into list blocks only when the lists run short, so the hand-over writes
/// into no free frame (BuddyFrameAllocator.UntouchedTails.cs).</para>
/// <para>Errors are values: running out is <see cref="AllocationError.OutOfFrames"/>; a double free, a frame
/// that was never Usable or one of the bitmap's own frames is refused (<see cref="FrameFreeError"/>) and
/// changes nothing.</para>
/// </summary>
public sealed unsafe partial class BuddyFrameAllocator : IFrameStore
{
    /// <summary>The largest block: 2^40 frames (4 PiB), more than 52-bit physical memory can hold.</summary>
    public const int MaxOrder = 40;
    /// <summary>Order of a 2 MiB block.</summary>
    public const int Order2MiB = 9;
    /// <summary>Order of a 1 GiB block.</summary>
    public const int Order1GiB = 18;

    private const int FrameShift = 12;
    private const ulong FrameSize = 1UL << FrameShift;

    private readonly ulong _offset;
    // Usable ranges in frame numbers, sorted and disjoint: [_starts[i], _ends[i]); bit of frame f in range i
    // is _bitBases[i] + (f - _starts[i]).
    private readonly ulong[] _starts;
    private readonly ulong[] _ends;
    private readonly ulong[] _bitBases;
    private readonly FrameBitmap _bitmap;
    private readonly ulong[] _heads = new ulong[MaxOrder + 1];
    // Per range, the first frame of its untouched tail (BuddyFrameAllocator.UntouchedTails.cs): [_tails[i],
    // _ends[i]) is free but on no list. _ends[i] when empty.
    private readonly ulong[] _tails;
    // Bit k set: the free list of order k is not empty, so the smallest usable order is one tzcnt away.
    private ulong _nonEmptyOrders;
    private ulong _freeFrames;
    private readonly ulong _metadataFirst;
    // Per range: Usable, or the reclaimable type it is held as until Reclaim (null: all Usable).
    private MemoryRegionType[]? _held;

    /// <summary>Frames managed in all: free, in use, handed out before the hand-over, the bitmap's, and those
    /// held for a later <see cref="Reclaim"/> (<see cref="HeldFrames"/>).</summary>
    public ulong TotalFrames { get; }
    public ulong FreeFrames => _freeFrames;
    public ulong UsedFrames => TotalFrames - _freeFrames;
    /// <summary>Frames holding the bitmap: never handed out, never freed.</summary>
    public ulong MetadataFrames { get; }
    /// <summary>Where the bitmap lives.</summary>
    public PhysAddr MetadataStart => PhysAddr.NewUnchecked(_metadataFirst << FrameShift);
    /// <summary>Frames the boot allocator had handed out before the hand-over; they stay owned by whoever has them.</summary>
    public ulong HandedOverFrames { get; }
    public ulong PhysicalMemoryOffset => _offset;
    /// <summary>Frames of reclaimable regions not reclaimed yet: in use, and refused by <see cref="DeallocateFrame"/>.</summary>
    public ulong HeldFrames { get; private set; }
    /// <summary>Frames <see cref="Reclaim"/> has freed so far.</summary>
    public ulong ReclaimedFrames { get; private set; }

    /// <summary>Memory that is free once the kernel no longer reads it: boot-loader data, the multiboot
    /// information, ACPI-reclaimable tables (docs/memory.md, "Reclaiming boot memory").</summary>
    public static bool IsReclaimable(MemoryRegionType type)
        => type is MemoryRegionType.BootloaderReclaimable or MemoryRegionType.BootInformation or MemoryRegionType.AcpiReclaimable;

    /// <summary>
    /// Frees every held region of <paramref name="type"/> (held at <see cref="HandOver"/>); the caller promises
    /// nothing reads them any more. Returns the frames freed (0 the second time).
    /// </summary>
    public ulong Reclaim(MemoryRegionType type)
    {
        if (_held == null || type == MemoryRegionType.Usable)
            return 0;
        ulong freed = 0;
        for (int i = 0; i < _held.Length; i++)
        {
            if (_held[i] != type)
                continue;
            _held[i] = MemoryRegionType.Usable;
            // Held as a whole until now, so nothing of it is on a list: all of it becomes the range's tail.
            freed += _ends[i] - _starts[i];
            OpenTail(_starts[i], (uint)i);
        }
        HeldFrames -= freed;
        ReclaimedFrames += freed;
        return freed;
    }

    /// <summary>How many frees <see cref="DeallocateFrame"/> refused (the interface cannot return an error).</summary>
    public ulong RejectedFrees { get; private set; }
    /// <summary>The last free <see cref="DeallocateFrame"/> refused.</summary>
    public RejectedFree LastRejectedFree { get; private set; }
    /// <summary>Called when <see cref="DeallocateFrame"/> refuses a frame: the kernel panics here, naming it.</summary>
    public Action<PhysFrame, FrameFreeError>? OnRejectedFree { get; set; }

    // ---------------------------------------------------------------- allocate

    /// <summary>A free 4 KiB frame (its contents are whatever was there), or OutOfFrames.</summary>
    public Result<PhysFrame, AllocationError> AllocateFrame()
    {
        // Fast path: a free single frame is waiting.
        ulong frame = _heads[0];
        if (frame != FreeBlockHeader.None)
        {
            FreeBlockHeader* header = HeaderOf(frame);
            Verify(header, frame);
            uint range = header->Range;
            Unlink(frame, 0);
            _bitmap.Clear(BitOf(frame, range));
            _freeFrames--;
            return PhysFrame.NewUnchecked(frame << FrameShift, PageSize.Size4KiB);
        }
        return AllocateFrame(PageSize.Size4KiB);
    }

    /// <summary>A free frame of <paramref name="size"/>, aligned to its size: 4 KiB, 2 MiB (for huge pages) or 1 GiB.</summary>
    public Result<PhysFrame, AllocationError> AllocateFrame(PageSize size)
    {
        if (!size.IsDefined())
            return AllocationError.InvalidPageSize;
        int order = size == PageSize.Size4KiB ? 0 : size == PageSize.Size2MiB ? Order2MiB : Order1GiB;
        if (!TryTakeBlock(order, out ulong frame, out _))
            return AllocationError.OutOfFrames;
        return PhysFrame.NewUnchecked(frame << FrameShift, size);
    }

    /// <summary>
    /// <paramref name="count"/> physically contiguous 4 KiB frames whose first address is a multiple of
    /// <paramref name="alignment"/> bytes (a power of two, at least 4 KiB). A buddy allocator serves this from
    /// one block of the next power of two (and at least the alignment) and frees the tail it does not need, so
    /// it fails when no such block is free even if a shorter unaligned run would do. Free it with
    /// <see cref="FreeContiguous"/> (or frame by frame).
    /// </summary>
    public Result<PhysFrameRange, ContiguousAllocationError> AllocateContiguous(ulong count, ulong alignment)
    {
        if (count == 0)
            return ContiguousAllocationError.InvalidCount;
        if (alignment < FrameSize || !BitOperations.IsPow2(alignment))
            return ContiguousAllocationError.InvalidAlignment;
        int countOrder = count == 1 ? 0 : 64 - BitOperations.LeadingZeroCount(count - 1);
        int alignOrder = BitOperations.Log2(alignment) - FrameShift;
        int order = countOrder > alignOrder ? countOrder : alignOrder;
        if (order > MaxOrder || count > _freeFrames)
            return ContiguousAllocationError.OutOfFrames;
        if (!TryTakeBlock(order, out ulong frame, out uint range))
            return ContiguousAllocationError.OutOfFrames;
        ulong blockFrames = 1UL << order;
        if (blockFrames > count)
            ReleaseRun(frame + count, blockFrames - count, range);
        return PhysFrameRange.NewUnchecked(PhysFrame.NewUnchecked(frame << FrameShift, PageSize.Size4KiB), count);
    }

    /// <summary>True when the next <paramref name="count"/> single-frame allocations will all succeed.</summary>
    public bool CanAllocate(ulong count) => count <= _freeFrames;

    // ---------------------------------------------------------------- free

    /// <summary>Takes back <paramref name="frame"/> (any size: a 2 MiB frame returns its 512 frames); returns
    /// how many 4 KiB frames were freed, or why none was.</summary>
    public Result<ulong, FrameFreeError> Free(PhysFrame frame)
        => FreeRun(frame.StartAddress.Value >> FrameShift, frame.SizeInBytes >> FrameShift);

    /// <summary>Takes back the frames of <paramref name="frames"/>, all or none.</summary>
    public Result<ulong, FrameFreeError> FreeContiguous(PhysFrameRange frames)
    {
        ulong perFrame = frames.Start.SizeInBytes >> FrameShift;
        return FreeRun(frames.Start.StartAddress.Value >> FrameShift, frames.Count * perFrame);
    }

    /// <summary>
    /// The <see cref="IFrameDeallocator"/> form of <see cref="Free"/>. It cannot return an error, so a refused
    /// frame is counted (<see cref="RejectedFrees"/>, <see cref="LastRejectedFree"/>) and passed to
    /// <see cref="OnRejectedFree"/>.
    /// </summary>
    public void DeallocateFrame(PhysFrame frame)
    {
        Result<ulong, FrameFreeError> freed = Free(frame);
        if (freed.TryGetError(out FrameFreeError error))
        {
            RejectedFrees++;
            LastRejectedFree = new RejectedFree(frame, error);
            OnRejectedFree?.Invoke(frame, error);
        }
    }

    /// <summary>True when <paramref name="frame"/> (4 KiB) is Usable and currently free.</summary>
    public bool IsFree(PhysFrame frame)
    {
        ulong number = frame.StartAddress.Value >> FrameShift;
        int range = FindRange(number);
        return range >= 0 && _bitmap.Get(BitOf(number, (uint)range));
    }

    /// <summary>True when <paramref name="frame"/> lies in a Usable region this allocator manages.</summary>
    public bool Manages(PhysFrame frame) => FindRange(frame.StartAddress.Value >> FrameShift) >= 0;

    private Result<ulong, FrameFreeError> FreeRun(ulong first, ulong count)
    {
        int range = FindRange(first);
        if (range < 0 || count > _ends[range] - first || (_held != null && _held[range] != MemoryRegionType.Usable))
            return FrameFreeError.NotUsable;
        if (first < _metadataFirst + MetadataFrames && _metadataFirst < first + count)
            return FrameFreeError.MetadataFrame;
        if (!_bitmap.IsRangeClear(BitOf(first, (uint)range), count))
            return FrameFreeError.DoubleFree;
        ReleaseRun(first, count, (uint)range);
        return count;
    }

    /// <summary>The index of the Usable range holding frame number <paramref name="frame"/>, or -1 (binary search).</summary>
    private int FindRange(ulong frame)
    {
        int low = 0;
        int high = _starts.Length - 1;
        while (low <= high)
        {
            int middle = low + ((high - low) >> 1);
            if (frame < _starts[middle])
                high = middle - 1;
            else if (frame >= _ends[middle])
                low = middle + 1;
            else
                return middle;
        }
        return -1;
    }

    private ulong BitOf(ulong frame, uint range) => _bitBases[range] + (frame - _starts[range]);
}
