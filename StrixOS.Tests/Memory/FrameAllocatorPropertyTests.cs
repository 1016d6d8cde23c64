using System.Collections.Generic;
using CsCheck;
using StrixOS.Memory;
using Xunit;

namespace StrixOS.Tests.Memory;

/// <summary>BootInfoFrameAllocator over the normalised maps of random and malformed region lists, against a brute-force reference.</summary>
public class FrameAllocatorPropertyTests
{
    private const ulong Frame = 4096;

    private static readonly Gen<MemoryRegionType> RegionType = Gen.Frequency(
        (6, Gen.Const(MemoryRegionType.Usable)),
        (1, Gen.Const(MemoryRegionType.Reserved)),
        (1, Gen.Const(MemoryRegionType.Kernel)),
        (1, Gen.Const(MemoryRegionType.AcpiNvs)),
        (1, Gen.Const(MemoryRegionType.BadMemory)));

    /// <summary>Starts low, just below 2^52 or above it; lengths may be zero, unaligned, negative (inverted) or unbounded.</summary>
    private static readonly Gen<MemoryRegion> Region = Gen.Select(
        Gen.Frequency(
            (8, Gen.ULong[0, 0x40000]),
            (1, Gen.ULong[PhysAddr.Limit - 0x10000, PhysAddr.Limit + 0x1000]),
            (1, Gen.ULong[0, 0x40].Select(frame => frame * Frame))),
        Gen.Frequency(
            (8, Gen.Long[0, 0x8000]),
            (1, Gen.Long[-0x3000, 0]),
            (1, Gen.Long[0, 0x40].Select(frames => frames * (long)Frame))),
        Gen.Int[0, 30],
        RegionType,
        (start, length, unbounded, type) =>
        {
            // An end of 2^64 - 1 only where it keeps the region small (near the 52-bit limit).
            bool high = start >= PhysAddr.Limit - 0x10000;
            ulong shrunk = (ulong)-length <= start ? start - (ulong)-length : 0; // inverted: end below start
            ulong end = unbounded == 0 && high ? ulong.MaxValue : length >= 0 ? start + (ulong)length : shrunk;
            return new MemoryRegion(start, end, type);
        });

    private static readonly Gen<MemoryRegion[]> Regions = Region.Array[0, 14];

    /// <summary>The frames the contract allows: every byte inside some Usable region below 2^52 (Usable entries
    /// unite byte by byte), touched by no other non-empty region, and not frame 0.</summary>
    private static SortedSet<ulong> Reference(MemoryRegion[] regions)
    {
        SortedSet<ulong> frames = new();
        foreach (MemoryRegion region in regions)
        {
            if (region.Type != MemoryRegionType.Usable)
                continue;
            ulong end = region.End < PhysAddr.Limit ? region.End : PhysAddr.Limit;
            for (ulong frame = region.Start / Frame * Frame; region.Start < end && frame < end; frame += Frame)
            {
                if (WhollyUsable(regions, frame))
                    frames.Add(frame);
            }
        }
        frames.RemoveWhere(frame =>
        {
            foreach (MemoryRegion region in regions)
            {
                ulong end = region.End < PhysAddr.Limit ? region.End : PhysAddr.Limit;
                if (region.Type != MemoryRegionType.Usable && region.Start < end && region.Start < frame + Frame && end > frame)
                    return true;
            }
            return false;
        });
        frames.Remove(0);
        return frames;
    }

    private static bool WhollyUsable(MemoryRegion[] regions, ulong frame)
    {
        for (ulong covered = frame; covered < frame + Frame;)
        {
            ulong reach = covered;
            foreach (MemoryRegion region in regions)
            {
                ulong end = region.End < PhysAddr.Limit ? region.End : PhysAddr.Limit;
                if (region.Type == MemoryRegionType.Usable && region.Start <= covered && end > reach)
                    reach = end;
            }
            if (reach == covered)
                return false;
            covered = reach;
        }
        return true;
    }

    [Fact]
    public void HandsOutExactlyTheUsableFramesInOrderOnceEachThenStops()
    {
        Regions.Sample(regions =>
        {
            // The normaliser makes the map safe (its own property tests check that); the allocator serves it as it is.
            // It refuses inverted ranges outright, so those become empty here.
            for (int i = 0; i < regions.Length; i++)
            {
                if (regions[i].End < regions[i].Start)
                    regions[i] = new MemoryRegion(regions[i].Start, regions[i].Start, regions[i].Type);
            }
            SortedSet<ulong> expected = Reference(regions);
            BootInfoFrameAllocator allocator = new(MemoryMapNormalizer.Normalize(regions, System.ReadOnlySpan<MemoryRegion>.Empty).Value);
            Assert.Equal((ulong)expected.Count, allocator.TotalFrames);

            List<ulong> handedOut = new();
            while (true)
            {
                ulong remaining = allocator.RemainingFrames;
                Assert.Equal(remaining > 0, allocator.CanAllocate(1));
                Assert.True(allocator.CanAllocate(remaining));
                Assert.False(allocator.CanAllocate(remaining + 1));
                Result<PhysFrame, AllocationError> result = allocator.AllocateFrame();
                if (result.IsError)
                {
                    Assert.Equal(AllocationError.OutOfFrames, result.Error);
                    Assert.Equal(0UL, remaining);
                    break;
                }
                PhysFrame frame = result.Value;
                Assert.Equal(PageSize.Size4KiB, frame.Size);
                Assert.True(handedOut.Count == 0 || frame.StartAddress.Value > handedOut[^1], "frames come in increasing order, never twice");
                Assert.Contains(frame.StartAddress.Value, expected);
                handedOut.Add(frame.StartAddress.Value);
            }
            Assert.Equal(expected, new SortedSet<ulong>(handedOut));
            // Exhaustion is stable.
            Assert.True(allocator.AllocateFrame().IsError);
            Assert.True(allocator.AllocateFrame().IsError);
            Assert.Equal((ulong)handedOut.Count, allocator.AllocatedFrames);
        }, iter: 5000);
    }
}
