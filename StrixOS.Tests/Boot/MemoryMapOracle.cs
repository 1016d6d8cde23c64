using System;
using System.Collections.Generic;
using StrixOS.Memory;
using Xunit;

namespace StrixOS.Tests.Boot;

/// <summary>
/// Independent, deliberately naive answers about raw maps (frame by frame, no sorting tricks) against which
/// the normaliser's output is checked.
/// </summary>
internal static class MemoryMapOracle
{
    public const ulong Frame = 4096;

    /// <summary>Sorted, non-overlapping, non-empty, 4 KiB aligned, below the limit, same-type neighbours merged.</summary>
    public static void AssertWellFormed(MemoryMap map, ulong addressLimit = MemoryMapNormalizer.MaxPhysicalAddress)
    {
        ReadOnlySpan<MemoryRegion> regions = map.Regions;
        Assert.Equal(regions.Length, map.Count);
        Assert.True(regions.Length <= MemoryMap.MaxRegions);
        ulong usable = 0;
        ulong total = 0;
        for (int i = 0; i < regions.Length; i++)
        {
            MemoryRegion r = regions[i];
            Assert.True(r.Start < r.End, $"region {i} is empty or inverted");
            Assert.True(r.Start % Frame == 0 && r.End % Frame == 0, $"region {i} is not frame aligned: {r.Start:x}-{r.End:x}");
            Assert.True(r.End <= addressLimit, $"region {i} ends at {r.End:x}, beyond the limit {addressLimit:x}");
            if (i > 0)
            {
                MemoryRegion previous = regions[i - 1];
                Assert.True(previous.End <= r.Start, $"regions {i - 1} and {i} overlap or are unsorted");
                Assert.False(previous.End == r.Start && previous.Type == r.Type, $"regions {i - 1} and {i} should have merged");
            }
            if (r.Type == MemoryRegionType.Usable)
                usable += r.Size;
            total += r.Size;
        }
        Assert.False(regions.Length > 0 && regions[0].Start == 0 && regions[0].Type == MemoryRegionType.Usable, "frame 0 is Usable");
        Assert.Equal(usable, map.TotalUsableBytes);
        Assert.Equal(total, map.TotalBytes);
        Assert.Equal(regions.Length == 0 ? 0 : regions[^1].End, map.HighestAddress);
    }

    /// <summary>
    /// The frame is free: wholly inside the union of raw Usable entries, touched by no other raw entry and by
    /// no reserved range, and not frame 0.
    /// </summary>
    public static bool IsFree(ulong frameStart, ReadOnlySpan<MemoryRegion> firmware, ReadOnlySpan<MemoryRegion> reserved)
    {
        if (frameStart == 0)
            return false;
        ulong frameEnd = frameStart + Frame;
        var usable = new List<(ulong Start, ulong End)>();
        foreach (MemoryRegion r in firmware)
        {
            if (r.Start >= r.End)
                continue;
            if (r.Type == MemoryRegionType.Usable)
                usable.Add((r.Start, r.End));
            else if (Intersects(r, frameStart, frameEnd))
                return false;
        }
        foreach (MemoryRegion r in reserved)
        {
            if (r.Start < r.End && Intersects(r, frameStart, frameEnd))
                return false;
        }
        return Covers(usable, frameStart, frameEnd);
    }

    /// <summary>
    /// What the normalised map must say about one frame: the highest-precedence non-Usable entry touching it;
    /// else Usable if the Usable union covers it whole (InUse for frame 0); else nothing (a hole).
    /// </summary>
    public static MemoryRegionType? ExpectedType(
        ulong frameStart, ReadOnlySpan<MemoryRegion> firmware, ReadOnlySpan<MemoryRegion> reserved, ulong addressLimit)
    {
        if (frameStart >= addressLimit)
            return null;
        ulong frameEnd = frameStart + Frame;
        MemoryRegionType? winner = null;
        var usable = new List<(ulong Start, ulong End)>();
        void Consider(MemoryRegion r)
        {
            ulong end = Math.Min(r.End, addressLimit);
            if (r.Start >= end)
                return;
            if (r.Type == MemoryRegionType.Usable)
            {
                usable.Add((r.Start, end));
                return;
            }
            if (r.Start < frameEnd && frameStart < end &&
                (winner is null || MemoryMapNormalizer.Precedence(r.Type) > MemoryMapNormalizer.Precedence(winner.Value)))
                winner = r.Type;
        }
        foreach (MemoryRegion r in firmware)
            Consider(r);
        foreach (MemoryRegion r in reserved)
            Consider(r);
        if (winner is not null)
            return winner;
        if (Covers(usable, frameStart, frameEnd))
            return frameStart == 0 ? MemoryRegionType.InUse : MemoryRegionType.Usable;
        return null;
    }

    public static MemoryRegionType? TypeAt(MemoryMap map, ulong address) =>
        map.TryFindRegion(address, out MemoryRegion region) ? region.Type : null;

    private static bool Intersects(MemoryRegion r, ulong start, ulong end) => r.Start < end && start < r.End;

    /// <summary>Whether the union of the intervals covers [start, end): repeatedly extend the covered prefix.</summary>
    private static bool Covers(List<(ulong Start, ulong End)> intervals, ulong start, ulong end)
    {
        ulong reached = start;
        bool progressed = true;
        while (reached < end && progressed)
        {
            progressed = false;
            foreach ((ulong s, ulong e) in intervals)
            {
                if (s <= reached && e > reached)
                {
                    reached = e;
                    progressed = true;
                }
            }
        }
        return reached >= end;
    }
}
