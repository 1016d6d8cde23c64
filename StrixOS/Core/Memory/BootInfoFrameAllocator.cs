using System;

namespace StrixOS.Memory;

/// <summary>
/// A bump allocator over the Usable regions of the boot memory map. Frames come out in address order, each
/// once, never outside a Usable region; nothing is ever freed. A cursor (region index + next address) makes
/// every allocation O(1).
/// <para>Contract: the caller promises that every frame in a Usable region is really free. The constructor
/// still defends against a malformed list: Usable regions are shrunk inward to whole frames and clipped to
/// 2^52, overlaps are merged, and any frame touched by a region of another type is left out.</para>
/// </summary>
public sealed class BootInfoFrameAllocator : IFrameAllocator
{
    private const ulong FrameSize = PageSizeExtensions.Bytes4KiB;
    private const ulong FrameMask = FrameSize - 1;
    /// <summary>Up to this many regions the constructor's scratch space lives on the stack.</summary>
    private const int StackRegions = 64;

    // Sorted, disjoint, non-empty, frame-aligned ranges of free frames: start, end, start, end, ...
    private readonly ulong[] _ranges;
    private int _rangeIndex;
    private ulong _next;
    private ulong _currentEnd;
    private ulong _remaining;

    public BootInfoFrameAllocator(ReadOnlySpan<MemoryRegion> regions)
    {
        int usableCount = 0;
        for (int i = 0; i < regions.Length; i++)
        {
            if (regions[i].Type == MemoryRegionType.Usable)
                usableCount++;
        }
        int blockedCount = regions.Length - usableCount;

        // Scratch: usable and blocked ranges, then the result (each blocked range can split one usable range).
        int scratchLength = 4 * regions.Length;
        Span<ulong> scratch = regions.Length <= StackRegions ? stackalloc ulong[4 * StackRegions] : new ulong[scratchLength];
        Span<ulong> usable = scratch.Slice(0, 2 * usableCount);
        Span<ulong> blocked = scratch.Slice(2 * usableCount, 2 * blockedCount);
        Span<ulong> free = scratch.Slice(2 * regions.Length, 2 * regions.Length);

        int usableRanges = 0;
        int blockedRanges = 0;
        for (int i = 0; i < regions.Length; i++)
        {
            MemoryRegion region = regions[i];
            ulong end = region.End < PhysAddr.Limit ? region.End : PhysAddr.Limit;
            if (region.Start >= end)
                continue; // Empty, inverted or entirely above 2^52.
            if (region.Type == MemoryRegionType.Usable)
            {
                // Inward: only frames wholly inside the region. region.Start < 2^52, so no overflow.
                ulong first = (region.Start + FrameMask) & ~FrameMask;
                ulong last = end & ~FrameMask;
                if (first < last)
                {
                    usable[2 * usableRanges] = first;
                    usable[2 * usableRanges + 1] = last;
                    usableRanges++;
                }
            }
            else
            {
                // Outward: every frame the region touches. end <= 2^52, so no overflow.
                blocked[2 * blockedRanges] = region.Start & ~FrameMask;
                blocked[2 * blockedRanges + 1] = (end + FrameMask) & ~FrameMask;
                blockedRanges++;
            }
        }

        usableRanges = SortAndMerge(usable, usableRanges);
        blockedRanges = SortAndMerge(blocked, blockedRanges);
        int freeRanges = Subtract(usable, usableRanges, blocked, blockedRanges, free);

        _ranges = free.Slice(0, 2 * freeRanges).ToArray();
        for (int i = 0; i < freeRanges; i++)
            _remaining += (_ranges[2 * i + 1] - _ranges[2 * i]) / FrameSize;
        TotalFrames = _remaining;
        _rangeIndex = -1; // The first allocation moves the cursor onto range 0.
    }

    /// <summary>Frames this allocator manages in all.</summary>
    public ulong TotalFrames { get; }

    /// <summary>Frames not yet handed out.</summary>
    public ulong RemainingFrames => _remaining;

    public ulong AllocatedFrames => TotalFrames - _remaining;

    public Result<PhysFrame, AllocationError> AllocateFrame()
    {
        if (_next < _currentEnd)
        {
            ulong frame = _next;
            _next = frame + FrameSize;
            _remaining--;
            return PhysFrame.NewUnchecked(frame, PageSize.Size4KiB);
        }
        return AllocateFromNextRange();
    }

    /// <summary>The cursor's slow path, once per range: kept out of line so the fast path inlines.</summary>
    private Result<PhysFrame, AllocationError> AllocateFromNextRange()
    {
        if (_remaining == 0)
            return AllocationError.OutOfFrames;
        // _remaining > 0 guarantees a later, non-empty range.
        _rangeIndex++;
        ulong frame = _ranges[2 * _rangeIndex];
        _currentEnd = _ranges[2 * _rangeIndex + 1];
        _next = frame + FrameSize;
        _remaining--;
        return PhysFrame.NewUnchecked(frame, PageSize.Size4KiB);
    }

    public bool CanAllocate(ulong count) => count <= _remaining;

    /// <summary>Sorts (start, end) pairs by start (insertion sort: boot maps are short and nearly sorted) and
    /// merges overlapping or touching ones. Returns the new pair count.</summary>
    private static int SortAndMerge(Span<ulong> pairs, int count)
    {
        for (int i = 1; i < count; i++)
        {
            ulong start = pairs[2 * i];
            ulong end = pairs[2 * i + 1];
            int j = i - 1;
            while (j >= 0 && pairs[2 * j] > start)
            {
                pairs[2 * j + 2] = pairs[2 * j];
                pairs[2 * j + 3] = pairs[2 * j + 1];
                j--;
            }
            pairs[2 * j + 2] = start;
            pairs[2 * j + 3] = end;
        }

        int merged = 0;
        for (int i = 0; i < count; i++)
        {
            ulong start = pairs[2 * i];
            ulong end = pairs[2 * i + 1];
            if (merged > 0 && start <= pairs[2 * merged - 1])
            {
                if (end > pairs[2 * merged - 1])
                    pairs[2 * merged - 1] = end;
            }
            else
            {
                pairs[2 * merged] = start;
                pairs[2 * merged + 1] = end;
                merged++;
            }
        }
        return merged;
    }

    /// <summary>Writes usable minus blocked (both sorted and disjoint) into <paramref name="result"/>;
    /// returns its pair count.</summary>
    private static int Subtract(ReadOnlySpan<ulong> usable, int usableCount, ReadOnlySpan<ulong> blocked, int blockedCount, Span<ulong> result)
    {
        int count = 0;
        int b = 0;
        for (int u = 0; u < usableCount; u++)
        {
            ulong start = usable[2 * u];
            ulong end = usable[2 * u + 1];
            // Blocked ranges wholly before this usable range cannot touch it or any later one.
            while (b < blockedCount && blocked[2 * b + 1] <= start)
                b++;
            for (int k = b; start < end && k < blockedCount && blocked[2 * k] < end; k++)
            {
                if (blocked[2 * k] > start)
                {
                    result[2 * count] = start;
                    result[2 * count + 1] = blocked[2 * k];
                    count++;
                }
                if (blocked[2 * k + 1] > start)
                    start = blocked[2 * k + 1];
            }
            if (start < end)
            {
                result[2 * count] = start;
                result[2 * count + 1] = end;
                count++;
            }
        }
        return count;
    }
}
