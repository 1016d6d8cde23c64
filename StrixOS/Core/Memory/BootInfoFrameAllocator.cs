namespace StrixOS.Memory;

/// <summary>
/// The boot allocator: a bump allocator over the Usable regions of the normalised memory map. It serves
/// the frames memory start-up needs before the buddy allocator exists (the kernel half's first tables,
/// the buddy allocator's own bitmap), then hands over (<see cref="PhysicalMemory.BuddyFrameAllocator.HandOver"/>).
/// Frames come out in address order, each once; nothing is ever freed. A cursor (region index + next
/// address) makes every allocation O(1).
/// <para>The map is a <see cref="MemoryMap"/>, so its Usable regions are already sorted, disjoint, whole
/// frames and really free (the normaliser guarantees it): nothing is sorted or merged again here.</para>
/// <para>What it handed out is, in each Usable region, a prefix: [region start, <see cref="FirstFreeOf"/>).
/// A contiguous request that does not fit the rest of the cursor's region skips that rest; the skipped
/// frames stay free and the buddy allocator takes them over.</para>
/// </summary>
public sealed class BootInfoFrameAllocator : IFrameAllocator
{
    private const ulong FrameSize = PageSizeExtensions.Bytes4KiB;

    private readonly ulong[] _starts;
    private readonly ulong[] _ends;
    // Per region, the first frame not handed out; regions after the cursor's are untouched.
    private readonly ulong[] _firstFree;
    private int _rangeIndex;
    // The region the first allocation moves the cursor onto (see preferFrom); the regions before it are never served.
    private readonly int _firstRegion;
    private ulong _next;
    private ulong _currentEnd;
    private ulong _remaining;

    /// <param name="map">The normalised memory map.</param>
    /// <param name="preferFrom">Serve only from the Usable regions that start at or above this address when there are
    /// any (the ones below stay free, for the buddy allocator); 0: from the lowest region.</param>
    public BootInfoFrameAllocator(MemoryMap map, ulong preferFrom = 0)
    {
        Map = map;
        int count = 0;
        foreach (MemoryRegion region in map.Regions)
        {
            if (region.Type == MemoryRegionType.Usable)
                count++;
        }
        _starts = new ulong[count];
        _ends = new ulong[count];
        _firstFree = new ulong[count];
        int index = 0;
        foreach (MemoryRegion region in map.Regions)
        {
            if (region.Type != MemoryRegionType.Usable)
                continue;
            _starts[index] = region.Start;
            _ends[index] = region.End;
            _firstFree[index] = region.Start;
            _remaining += region.Size / FrameSize;
            index++;
        }
        TotalFrames = _remaining;
        _rangeIndex = -1; // The first allocation moves the cursor onto _firstRegion.
        while (_firstRegion < count && _starts[_firstRegion] < preferFrom)
            _firstRegion++;
        if (_firstRegion == count)
            _firstRegion = 0;
        for (int skipped = 0; skipped < _firstRegion; skipped++)
            _remaining -= (_ends[skipped] - _starts[skipped]) / FrameSize;
    }

    /// <summary>The normalised map this allocator serves from.</summary>
    public MemoryMap Map { get; }

    /// <summary>Usable frames in the map.</summary>
    public ulong TotalFrames { get; }

    /// <summary>Frames this allocator can still hand out (after the cursor; skipped frames are not counted).</summary>
    public ulong RemainingFrames => _remaining;

    /// <summary>Frames handed out so far.</summary>
    public ulong AllocatedFrames { get; private set; }

    /// <summary>Usable regions of the map, in address order.</summary>
    public int RegionCount => _starts.Length;

    /// <summary>The first frame of Usable region <paramref name="region"/> that was not handed out: everything
    /// below it in that region is in use, everything from it to the region's end is free.</summary>
    public ulong FirstFreeOf(int region) => region == _rangeIndex ? _next : _firstFree[region];

    public Result<PhysFrame, AllocationError> AllocateFrame()
    {
        if (_next < _currentEnd)
        {
            ulong frame = _next;
            _next = frame + FrameSize;
            _remaining--;
            AllocatedFrames++;
            return PhysFrame.NewUnchecked(frame, PageSize.Size4KiB);
        }
        return AllocateFromNextRange();
    }

    /// <summary>The cursor's slow path, once per region: kept out of line so the fast path inlines.</summary>
    private Result<PhysFrame, AllocationError> AllocateFromNextRange()
    {
        if (_remaining == 0)
            return AllocationError.OutOfFrames;
        // _remaining > 0 guarantees a later, non-empty region.
        int region = _rangeIndex < 0 ? _firstRegion : _rangeIndex + 1;
        MoveTo(region, _starts[region]);
        ulong frame = _next;
        _next = frame + FrameSize;
        _remaining--;
        AllocatedFrames++;
        return PhysFrame.NewUnchecked(frame, PageSize.Size4KiB);
    }

    /// <summary>
    /// <paramref name="count"/> physically contiguous frames (the buddy allocator's bitmap): from the cursor
    /// if the rest of its region holds them, else from the start of the first later region that does. The
    /// returned frame is the first; refused with <see cref="AllocationError.OutOfFrames"/> (nothing changes)
    /// when no region has room.
    /// </summary>
    public Result<PhysFrame, AllocationError> AllocateContiguous(ulong count)
    {
        if (count == 0)
            return AllocationError.InvalidPageSize;
        ulong bytes = count * FrameSize;
        int first = _rangeIndex < 0 ? _firstRegion : _rangeIndex;
        for (int i = first; i < _starts.Length; i++)
        {
            ulong start = i == _rangeIndex ? _next : _starts[i];
            if (_ends[i] - start < bytes)
                continue;
            // The frames between the cursor and `start` are skipped: no longer reachable from here.
            ulong skipped = 0;
            for (int k = first; k < i; k++)
                skipped += (_ends[k] - FirstFreeOf(k)) / FrameSize;
            MoveTo(i, start);
            _next = start + bytes;
            _remaining -= skipped + count;
            AllocatedFrames += count;
            return PhysFrame.NewUnchecked(start, PageSize.Size4KiB);
        }
        return AllocationError.OutOfFrames;
    }

    public bool CanAllocate(ulong count) => count <= _remaining;

    /// <summary>Puts the cursor on <paramref name="region"/> at <paramref name="next"/>, recording where the
    /// region it leaves stopped.</summary>
    private void MoveTo(int region, ulong next)
    {
        if (_rangeIndex >= 0)
            _firstFree[_rangeIndex] = _next;
        _rangeIndex = region;
        _next = next;
        _currentEnd = _ends[region];
    }
}
