using System;
using System.Collections.Generic;
using StrixOS.Memory;
using StrixOS.Memory.PhysicalMemory;
using StrixOS.Tests.Memory;
using Xunit;
using static StrixOS.Tests.PhysicalMemory.BuddyFixture;

namespace StrixOS.Tests.PhysicalMemory;

public class BuddyFrameAllocatorTests
{
    private const ulong MiB = 1024 * 1024;

    /// <summary>Low memory with a hole, then 8 MiB from 1 MiB on, then 4 MiB at 16 MiB.</summary>
    private static MemoryMap TwoRegionMap() => Normalize(
        new MemoryRegion(0, 0x9F000, MemoryRegionType.Usable),
        new MemoryRegion(0x9F000, MiB, MemoryRegionType.Reserved),
        new MemoryRegion(MiB, 9 * MiB, MemoryRegionType.Usable),
        new MemoryRegion(9 * MiB, 16 * MiB, MemoryRegionType.Reserved),
        new MemoryRegion(16 * MiB, 20 * MiB, MemoryRegionType.Usable));

    private static List<ulong> DrainSingles(BuddyFrameAllocator allocator)
    {
        List<ulong> frames = new();
        while (allocator.AllocateFrame().TryGetValue(out PhysFrame frame))
            frames.Add(frame.StartAddress.Value);
        return frames;
    }

    [Fact]
    public void HandOver_KeepsEveryBootFrameOwnedAndFreesTheRest()
    {
        using BuddyFixture f = new(TwoRegionMap(), bootFrames: 200); // crosses from low memory into the second region
        BuddyFrameAllocator a = f.Allocator;
        List<ulong> usable = f.UsableFrames();

        Assert.Equal((ulong)usable.Count, a.TotalFrames);
        Assert.Equal(200UL, a.HandedOverFrames);
        Assert.Equal(1UL, a.MetadataFrames); // 5022 frames fit in one frame of bits
        Assert.Equal(a.TotalFrames - 200 - 1, a.FreeFrames);
        foreach (ulong frame in f.BootFrames)
            Assert.False(a.IsFree(FrameAt(frame)));

        HashSet<ulong> expected = new(usable);
        expected.ExceptWith(f.BootFrames);
        expected.ExceptWith(f.MetadataFrames());
        List<ulong> drained = DrainSingles(a);
        Assert.Equal(expected.Count, drained.Count);
        Assert.True(expected.SetEquals(drained)); // every free frame once, nothing else
        Assert.Equal(0UL, a.FreeFrames);
    }

    [Fact]
    public void HandOver_PutsTheBitmapRightAfterTheBootCursor()
    {
        using BuddyFixture f = new(TwoRegionMap(), bootFrames: 10);
        Assert.Equal(f.BootFrames[^1] + Frame, f.Allocator.MetadataStart.Value);
        Assert.False(f.Allocator.IsFree(FrameAt(f.Allocator.MetadataStart.Value)));
    }

    [Fact]
    public void HandOver_SkipsARegionTooShortForTheBitmap()
    {
        // 40 MiB of usable memory needs 10240 bits: one frame fits them, so shrink the first region to 0 free frames.
        MemoryMap map = Normalize(
            new MemoryRegion(0x1000, 0x5000, MemoryRegionType.Usable),
            new MemoryRegion(0x5000, MiB, MemoryRegionType.Reserved),
            new MemoryRegion(MiB, 41 * MiB, MemoryRegionType.Usable));
        using BuddyFixture f = new(map, bootFrames: 4); // exactly the first region
        Assert.Equal(MiB, f.Allocator.MetadataStart.Value);
    }

    [Fact]
    public void HandOver_WithNothingHandedOut_UsesTheFirstFrames()
    {
        using BuddyFixture f = new(TwoRegionMap(), bootFrames: 0);
        Assert.Equal(0x1000UL, f.Allocator.MetadataStart.Value);
        Assert.Equal(f.Allocator.TotalFrames - 1, f.Allocator.FreeFrames);
    }

    [Fact]
    public unsafe void HandOver_AndReclaim_WriteIntoNoFreeFrame()
    {
        // Under QEMU every first write to a 2 MiB region of guest RAM costs the host a fault: start-up must not
        // write a list header into each free block (docs/benchmarks.md). Only the bitmap's frame may change.
        MemoryMap map = Normalize(
            new MemoryRegion(0x1000, 0x9F000, MemoryRegionType.Usable),
            new MemoryRegion(MiB, 2 * MiB, MemoryRegionType.BootloaderReclaimable),
            new MemoryRegion(2 * MiB, 24 * MiB, MemoryRegionType.Usable));
        using SimulatedPhysicalMemory memory = new(24 * MiB, zero: false);
        memory.Bytes(PhysAddr.TryNew(0).Value, 24 * MiB).Fill(0xA5);
        BootInfoFrameAllocator boot = new(map);
        for (int i = 0; i < 5; i++)
            _ = boot.AllocateFrame();
        BuddyFrameAllocator a = BuddyFrameAllocator.HandOver(boot, memory.Offset, holdReclaimable: true).Value;
        Assert.Equal(256UL, a.Reclaim(MemoryRegionType.BootloaderReclaimable));

        ulong metadata = a.MetadataStart.Value;
        ulong checkedFrames = 0;
        for (ulong frame = 0; frame < 24 * MiB; frame += Frame)
        {
            if (frame == metadata || !a.IsFree(FrameAt(frame)))
                continue;
            Assert.True(memory.Bytes(PhysAddr.TryNew(frame).Value, Frame).IndexOfAnyExcept((byte)0xA5) < 0,
                $"the free frame at 0x{frame:X} was written to");
            checkedFrames++;
        }
        Assert.Equal(a.FreeFrames, checkedFrames);

        // They are still all there, each once, and the first allocations come from the lowest free frames above the
        // first MiB (the reclaimed range; the frames below it are carved last).
        Assert.Equal(MiB, a.AllocateFrame().Value.StartAddress.Value);
        Assert.Equal(checkedFrames - 1, (ulong)DrainSingles(a).Count);
    }

    [Fact]
    public void LowMemory_IsCarvedLast_AfterEveryFrameAboveTheFirstMiB()
    {
        // The firmware and the boot loader ran code below 1 MiB (writing there first is dear under QEMU's TCG).
        using BuddyFixture f = new(TwoRegionMap(), bootFrames: 0);
        List<ulong> drained = DrainSingles(f.Allocator);
        int firstLow = drained.FindIndex(frame => frame < MiB);
        Assert.True(firstLow > 0);
        Assert.All(drained.GetRange(0, firstLow), frame => Assert.True(frame >= MiB));
        Assert.All(drained.GetRange(firstLow, drained.Count - firstLow), frame => Assert.True(frame < MiB));
        Assert.Equal(0x9FUL - 1 - 1, (ulong)(drained.Count - firstLow));      // frames 1-0x9E but the bitmap's (frame 0 is kept out)
    }

    [Fact]
    public void AFrameFreedJustBelowTheUntouchedTail_MergesWithTheTailsFirstBlock()
    {
        // Region A is frames 4 and 5. Boot frame 4 leaves only frame 5, too short for the two-frame bitmap
        // (more than 32,768 frames are managed), which goes to region B: A's untouched tail is frame 5, the
        // buddy of frame 4.
        MemoryMap map = Normalize(
            new MemoryRegion(4 * Frame, 6 * Frame, MemoryRegionType.Usable),
            new MemoryRegion(6 * Frame, MiB, MemoryRegionType.Reserved),
            new MemoryRegion(MiB, MiB + 33_000 * Frame, MemoryRegionType.Usable));
        using BuddyFixture f = new(map, bootFrames: 1);
        BuddyFrameAllocator a = f.Allocator;
        Assert.Equal(2UL, a.MetadataFrames);
        Assert.Equal(MiB, a.MetadataStart.Value);
        Assert.True(a.IsFree(FrameAt(5 * Frame)));
        ulong ordersOneBefore = a.FreeBlockCount(1);

        Assert.True(a.Free(FrameAt(4 * Frame)).IsOk);
        // Merged into the order-1 block [4, 6), as the eager release would have done.
        Assert.Equal(ordersOneBefore + 1, a.FreeBlockCount(1));
        Assert.Equal(4 * Frame, a.AllocateContiguous(2, 2 * Frame).Value.Start.StartAddress.Value);
        Assert.False(a.IsFree(FrameAt(5 * Frame)));
    }

    [Fact]
    public void HandOver_FreesTheFramesAContiguousBootRequestSkipped()
    {
        MemoryMap map = Normalize(
            new MemoryRegion(0x1000, 0x5000, MemoryRegionType.Usable),
            new MemoryRegion(0x5000, MiB, MemoryRegionType.Reserved),
            new MemoryRegion(MiB, 41 * MiB, MemoryRegionType.Usable));
        ulong contiguous = 0;
        // One frame, then four in a row: they do not fit the three left in the first region, so those are skipped.
        using BuddyFixture f = new(map, bootFrames: 1, boot => contiguous = boot.AllocateContiguous(4).Value.StartAddress.Value);
        Assert.Equal(MiB, contiguous);
        BuddyFrameAllocator a = f.Allocator;
        Assert.Equal(5UL, a.HandedOverFrames);
        Assert.Equal(MiB + 4 * Frame, a.MetadataStart.Value); // the bitmap comes from the boot allocator too
        foreach (ulong skipped in new ulong[] { 0x2000, 0x3000, 0x4000 })
            Assert.True(a.IsFree(FrameAt(skipped)));
        Assert.False(a.IsFree(FrameAt(0x1000)));
        for (ulong frame = MiB; frame < MiB + 5 * Frame; frame += Frame)
            Assert.False(a.IsFree(FrameAt(frame)));
        Assert.Equal(a.TotalFrames - 5 - 1, a.FreeFrames);
    }

    [Fact]
    public void ReclaimableRegionsAreHeldInUseUntilReclaimedThenFree()
    {
        MemoryMap map = Normalize(
            new MemoryRegion(0x1000, 4 * MiB, MemoryRegionType.Usable),
            new MemoryRegion(4 * MiB, 5 * MiB, MemoryRegionType.BootloaderReclaimable),
            new MemoryRegion(5 * MiB, 8 * MiB, MemoryRegionType.Usable),
            new MemoryRegion(8 * MiB, 8 * MiB + 0x10000, MemoryRegionType.AcpiReclaimable),
            new MemoryRegion(8 * MiB + 0x10000, 8 * MiB + 0x20000, MemoryRegionType.AcpiNvs));
        using BuddyFixture f = new(map, bootFrames: 3, holdReclaimable: true);
        BuddyFrameAllocator a = f.Allocator;
        ulong usable = (ulong)f.UsableFrames().Count;
        Assert.Equal(usable + 256 + 16, a.TotalFrames);
        Assert.Equal(256UL + 16, a.HeldFrames);
        Assert.Equal(usable - 3 - 1, a.FreeFrames);
        PhysFrame held = FrameAt(4 * MiB + 0x5000);
        Assert.False(a.IsFree(held));
        Assert.Equal(FrameFreeError.NotUsable, a.Free(held).Error); // held memory is not the caller's to free

        Assert.Equal(256UL, a.Reclaim(MemoryRegionType.BootloaderReclaimable));
        Assert.Equal(0UL, a.Reclaim(MemoryRegionType.BootloaderReclaimable));
        Assert.True(a.IsFree(held));
        Assert.Equal(16UL, a.HeldFrames);
        Assert.Equal(usable - 3 - 1 + 256, a.FreeFrames);
        Assert.Equal(0UL, a.Reclaim(MemoryRegionType.AcpiNvs)); // firmware memory is never held
        Assert.Equal(16UL, a.Reclaim(MemoryRegionType.AcpiReclaimable));
        Assert.Equal(272UL, a.ReclaimedFrames);

        HashSet<ulong> expected = new(f.UsableFrames());
        for (ulong frame = 4 * MiB; frame < 5 * MiB; frame += Frame)
            expected.Add(frame);
        for (ulong frame = 8 * MiB; frame < 8 * MiB + 0x10000; frame += Frame)
            expected.Add(frame);
        expected.ExceptWith(f.BootFrames);
        expected.ExceptWith(f.MetadataFrames());
        List<ulong> drained = DrainSingles(a);
        Assert.Equal(expected.Count, drained.Count);
        Assert.True(expected.SetEquals(drained));
    }

    [Fact]
    public void Frame0IsNeverHeldOrReclaimed()
    {
        MemoryMap map = Normalize(
            new MemoryRegion(0, 0x4000, MemoryRegionType.BootloaderReclaimable),
            new MemoryRegion(MiB, 2 * MiB, MemoryRegionType.Usable));
        using BuddyFixture f = new(map, bootFrames: 0, holdReclaimable: true);
        Assert.Equal(3UL, f.Allocator.HeldFrames);
        Assert.Equal(3UL, f.Allocator.Reclaim(MemoryRegionType.BootloaderReclaimable));
        Assert.False(f.Allocator.Manages(FrameAt(0)));
        Assert.True(f.Allocator.IsFree(FrameAt(0x1000)));
    }

    [Fact]
    public void WithoutHoldingReclaimableRegionsTheAllocatorOwnsOnlyUsableMemory()
    {
        MemoryMap map = Normalize(
            new MemoryRegion(0x1000, 4 * MiB, MemoryRegionType.Usable),
            new MemoryRegion(4 * MiB, 5 * MiB, MemoryRegionType.BootloaderReclaimable));
        using BuddyFixture f = new(map, bootFrames: 0);
        Assert.Equal((ulong)f.UsableFrames().Count, f.Allocator.TotalFrames);
        Assert.Equal(0UL, f.Allocator.HeldFrames);
        Assert.Equal(0UL, f.Allocator.Reclaim(MemoryRegionType.BootloaderReclaimable));
        Assert.False(f.Allocator.Manages(FrameAt(4 * MiB)));
    }

    [Theory]
    [InlineData(0x1000UL, 0x1800UL)] // not aligned
    [InlineData(0x3000UL, 0x3000UL)] // empty
    [InlineData(0x3000UL, 0x2000UL)] // inverted
    public void FromRegions_RefusesMalformedRegions(ulong start, ulong end)
    {
        MemoryRegion[] regions = { new(start, end, MemoryRegionType.Usable) };
        Assert.Equal(HandOverError.RegionsNotNormalized, BuddyFrameAllocator.FromRegions(regions, 0, 0).Error);
    }

    [Fact]
    public void FromRegions_RefusesUnsortedOrOverlappingRegions()
    {
        MemoryRegion[] unsorted = { new(0x10000, 0x20000, MemoryRegionType.Usable), new(0x1000, 0x2000, MemoryRegionType.Usable) };
        MemoryRegion[] overlapping = { new(0x1000, 0x8000, MemoryRegionType.Usable), new(0x4000, 0x9000, MemoryRegionType.Usable) };
        Assert.Equal(HandOverError.RegionsNotNormalized, BuddyFrameAllocator.FromRegions(unsorted, 0, 0).Error);
        Assert.Equal(HandOverError.RegionsNotNormalized, BuddyFrameAllocator.FromRegions(overlapping, 0, 0).Error);
    }

    [Fact]
    public void FromRegions_RefusesMoreHandedOutThanExistAndMapsWithNoRoomForTheBitmap()
    {
        MemoryRegion[] regions = { new(0x1000, 0x3000, MemoryRegionType.Usable) };
        Assert.Equal(HandOverError.HandedOutExceedsTotal, BuddyFrameAllocator.FromRegions(regions, 3, 0).Error);
        Assert.Equal(HandOverError.NoRoomForMetadata, BuddyFrameAllocator.FromRegions(regions, 2, 0).Error);
    }

    [Fact]
    public void FromRegions_WithNoUsableMemory_AllocatesNothing()
    {
        BuddyFrameAllocator a = BuddyFrameAllocator.FromRegions(ReadOnlySpan<MemoryRegion>.Empty, 0, 0).Value;
        Assert.Equal(0UL, a.TotalFrames);
        Assert.Equal(AllocationError.OutOfFrames, a.AllocateFrame().Error);
        Assert.Equal(FrameFreeError.NotUsable, a.Free(FrameAt(0x1000)).Error);
    }

    [Fact]
    public void FreeingAndReallocating_CountsAreExact()
    {
        using BuddyFixture f = new(TwoRegionMap(), bootFrames: 3);
        BuddyFrameAllocator a = f.Allocator;
        ulong start = a.FreeFrames;
        PhysFrame one = a.AllocateFrame().Value;
        PhysFrame two = a.AllocateFrame().Value;
        Assert.NotEqual(one, two);
        Assert.Equal(start - 2, a.FreeFrames);
        Assert.Equal(a.TotalFrames - start + 2, a.UsedFrames);
        Assert.Equal(1UL, a.Free(one).Value);
        Assert.True(a.IsFree(one));
        Assert.Equal(start - 1, a.FreeFrames);
        Assert.Equal(1UL, a.Free(two).Value);
        Assert.Equal(start, a.FreeFrames);
    }

    [Fact]
    public void DoubleFree_IsRefusedAndChangesNothing()
    {
        using BuddyFixture f = new(TwoRegionMap(), bootFrames: 3);
        BuddyFrameAllocator a = f.Allocator;
        PhysFrame frame = a.AllocateFrame().Value;
        _ = a.Free(frame);
        ulong free = a.FreeFrames;
        Assert.Equal(FrameFreeError.DoubleFree, a.Free(frame).Error);
        Assert.Equal(free, a.FreeFrames);
        // Never handed out at all is also "already free".
        ulong neverUsed = f.UsableFrames()[^1];
        Assert.Equal(FrameFreeError.DoubleFree, a.Free(FrameAt(neverUsed)).Error);
    }

    [Fact]
    public void FreeingAFrameThatWasNeverUsable_IsRefused()
    {
        using BuddyFixture f = new(TwoRegionMap(), bootFrames: 3);
        BuddyFrameAllocator a = f.Allocator;
        ulong free = a.FreeFrames;
        Assert.Equal(FrameFreeError.NotUsable, a.Free(FrameAt(0)).Error); // frame 0 is never Usable
        Assert.Equal(FrameFreeError.NotUsable, a.Free(FrameAt(0xA0000)).Error); // the legacy hole
        Assert.Equal(FrameFreeError.NotUsable, a.Free(FrameAt(12 * MiB)).Error); // reserved
        Assert.Equal(FrameFreeError.NotUsable, a.Free(FrameAt(64 * MiB)).Error); // beyond memory
        // A 2 MiB frame that starts in a Usable region but runs past it.
        Assert.Equal(FrameFreeError.NotUsable, a.Free(FrameAt(8 * MiB, PageSize.Size2MiB)).Error);
        Assert.Equal(free, a.FreeFrames);
        Assert.False(a.Manages(FrameAt(0xA0000)));
    }

    [Fact]
    public void FreeingTheBitmap_IsRefused()
    {
        using BuddyFixture f = new(TwoRegionMap(), bootFrames: 3);
        Assert.Equal(FrameFreeError.MetadataFrame, f.Allocator.Free(FrameAt(f.Allocator.MetadataStart.Value)).Error);
    }

    [Fact]
    public void FreeingABootFrame_GivesItToTheAllocator()
    {
        using BuddyFixture f = new(TwoRegionMap(), bootFrames: 3);
        BuddyFrameAllocator a = f.Allocator;
        ulong free = a.FreeFrames;
        Assert.Equal(1UL, a.Free(FrameAt(f.BootFrames[1])).Value);
        Assert.Equal(free + 1, a.FreeFrames);
        Assert.True(a.IsFree(FrameAt(f.BootFrames[1])));
    }

    [Fact]
    public void Exhaustion_FailsCleanly_AndAFreeRestoresService()
    {
        using BuddyFixture f = new(TwoRegionMap(), bootFrames: 3);
        BuddyFrameAllocator a = f.Allocator;
        ulong free = a.FreeFrames;
        List<ulong> all = DrainSingles(a);
        Assert.Equal((int)free, all.Count);
        Assert.False(a.CanAllocate(1));
        Assert.True(a.CanAllocate(0));
        Assert.Equal(AllocationError.OutOfFrames, a.AllocateFrame().Error);
        Assert.Equal(AllocationError.OutOfFrames, a.AllocateFrame(PageSize.Size2MiB).Error);
        Assert.Equal(ContiguousAllocationError.OutOfFrames, a.AllocateContiguous(1, Frame).Error);

        _ = a.Free(FrameAt(all[17]));
        Assert.True(a.CanAllocate(1));
        Assert.Equal(all[17], a.AllocateFrame().Value.StartAddress.Value);
    }

    [Fact]
    public void FreeingEverything_MergesBackToTheStartingBlocks()
    {
        using BuddyFixture f = new(TwoRegionMap(), bootFrames: 3);
        BuddyFrameAllocator a = f.Allocator;
        ulong[] before = new ulong[BuddyFrameAllocator.MaxOrder + 1];
        for (int order = 0; order <= BuddyFrameAllocator.MaxOrder; order++)
            before[order] = a.FreeBlockCount(order);

        List<ulong> all = DrainSingles(a);
        new Random(7).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(all));
        foreach (ulong frame in all)
            Assert.True(a.Free(FrameAt(frame)).IsOk);

        for (int order = 0; order <= BuddyFrameAllocator.MaxOrder; order++)
            Assert.Equal(before[order], a.FreeBlockCount(order));
    }

    [Fact]
    public void HugeFrames_AreAlignedAndFreeAsAWhole()
    {
        using BuddyFixture f = new(TwoRegionMap(), bootFrames: 3);
        BuddyFrameAllocator a = f.Allocator;
        ulong free = a.FreeFrames;
        PhysFrame huge = a.AllocateFrame(PageSize.Size2MiB).Value;
        Assert.Equal(PageSize.Size2MiB, huge.Size);
        Assert.Equal(0UL, huge.StartAddress.Value % (2 * MiB));
        Assert.Equal(free - 512, a.FreeFrames);
        for (ulong i = 0; i < 512; i++)
            Assert.False(a.IsFree(FrameAt(huge.StartAddress.Value + i * Frame)));
        Assert.Equal(512UL, a.Free(huge).Value);
        Assert.Equal(free, a.FreeFrames);
        // No Usable region holds an aligned 1 GiB.
        Assert.Equal(AllocationError.OutOfFrames, a.AllocateFrame(PageSize.Size1GiB).Error);
    }

    [Fact]
    public void Contiguous_IsAlignedContiguousAndExactlyCounted()
    {
        using BuddyFixture f = new(TwoRegionMap(), bootFrames: 3);
        BuddyFrameAllocator a = f.Allocator;
        ulong free = a.FreeFrames;
        PhysFrameRange run = a.AllocateContiguous(3, 64 * 1024).Value;
        Assert.Equal(3UL, run.Count);
        Assert.Equal(0UL, run.Start.StartAddress.Value % (64 * 1024));
        Assert.Equal(free - 3, a.FreeFrames); // the rest of the 16-frame block went back
        ulong expected = run.Start.StartAddress.Value;
        foreach (PhysFrame frame in run)
        {
            Assert.Equal(expected, frame.StartAddress.Value);
            Assert.False(a.IsFree(frame));
            expected += Frame;
        }
        Assert.True(a.IsFree(FrameAt(expected))); // the tail is free again

        // A frame of the run can go back on its own, then the rest as a range.
        Assert.Equal(1UL, a.Free(run.Start).Value);
        Assert.Equal(FrameFreeError.DoubleFree, a.FreeContiguous(run).Error);
        PhysFrameRange rest = PhysFrameRange.TryNew(FrameAt(run.Start.StartAddress.Value + Frame), 2).Value;
        Assert.Equal(2UL, a.FreeContiguous(rest).Value);
        Assert.Equal(free, a.FreeFrames);
    }

    [Fact]
    public void Contiguous_TwoMiBAligned_ForHugePages()
    {
        using BuddyFixture f = new(TwoRegionMap(), bootFrames: 3);
        PhysFrameRange run = f.Allocator.AllocateContiguous(512, 2 * MiB).Value;
        Assert.Equal(0UL, run.Start.StartAddress.Value % (2 * MiB));
        Assert.Equal(512UL, f.Allocator.FreeContiguous(run).Value);
    }

    [Theory]
    [InlineData(0UL, 4096UL, ContiguousAllocationError.InvalidCount)]
    [InlineData(1UL, 0UL, ContiguousAllocationError.InvalidAlignment)]
    [InlineData(1UL, 2048UL, ContiguousAllocationError.InvalidAlignment)]
    [InlineData(1UL, 12288UL, ContiguousAllocationError.InvalidAlignment)]
    [InlineData(4096UL, 4096UL, ContiguousAllocationError.OutOfFrames)] // 16 MiB in one piece does not exist
    public void Contiguous_RefusesBadRequests(ulong count, ulong alignment, ContiguousAllocationError error)
    {
        using BuddyFixture f = new(TwoRegionMap(), bootFrames: 3);
        ulong free = f.Allocator.FreeFrames;
        Assert.Equal(error, f.Allocator.AllocateContiguous(count, alignment).Error);
        Assert.Equal(free, f.Allocator.FreeFrames);
    }

    [Fact]
    public void Blocks_NeverCrossARegionBoundary()
    {
        // Two Usable regions separated by one reserved frame at 0x40000: a 64-frame block there would cross it.
        MemoryMap map = Normalize(
            new MemoryRegion(0x1000, 0x40000, MemoryRegionType.Usable),
            new MemoryRegion(0x40000, 0x41000, MemoryRegionType.Reserved),
            new MemoryRegion(0x41000, 0x100000, MemoryRegionType.Usable));
        using BuddyFixture f = new(map, bootFrames: 0);
        BuddyFrameAllocator a = f.Allocator;
        List<PhysFrameRange> runs = new();
        while (a.AllocateContiguous(8, 8 * Frame).TryGetValue(out PhysFrameRange run))
        {
            ulong start = run.Start.StartAddress.Value;
            Assert.False(start < 0x41000 && start + 8 * Frame > 0x40000, $"run at 0x{start:X} covers the reserved frame");
            runs.Add(run);
        }
        foreach (PhysFrameRange run in runs)
            _ = a.FreeContiguous(run);
        Assert.False(a.IsFree(FrameAt(0x40000)));
    }

    [Fact]
    public void DeallocateFrame_ReportsARefusedFrameThroughTheHook()
    {
        using BuddyFixture f = new(TwoRegionMap(), bootFrames: 3);
        BuddyFrameAllocator a = f.Allocator;
        List<(PhysFrame, FrameFreeError)> seen = new();
        a.OnRejectedFree = (frame, error) => seen.Add((frame, error));
        PhysFrame frame = a.AllocateFrame().Value;

        a.DeallocateFrame(frame);
        Assert.Empty(seen);
        a.DeallocateFrame(frame);
        Assert.Equal(1UL, a.RejectedFrees);
        Assert.Equal(frame, a.LastRejectedFree.Frame);
        Assert.Equal(FrameFreeError.DoubleFree, a.LastRejectedFree.Error);
        Assert.Equal((frame, FrameFreeError.DoubleFree), Assert.Single(seen));
        Assert.Contains("double free", a.LastRejectedFree.ToString());
    }

    [Fact]
    public unsafe void AFreeBlockOverwrittenAfterFree_IsDetectedNotHandedOut()
    {
        using BuddyFixture f = new(TwoRegionMap(), bootFrames: 3);
        BuddyFrameAllocator a = f.Allocator;
        PhysFrame frame = a.AllocateFrame().Value;
        _ = a.Free(frame);
        // A use after free scribbles over the freed frame, where the allocator keeps its list links.
        new Span<byte>(f.Memory.Pointer(frame.StartAddress), 64).Fill(0x41);
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => a.AllocateFrame());
        Assert.Contains("use after free", error.Message);
    }

    [Fact]
    public void Describe_NamesEveryError()
    {
        foreach (FrameFreeError error in Enum.GetValues<FrameFreeError>())
            Assert.DoesNotContain("unknown", error.Describe());
        foreach (HandOverError error in Enum.GetValues<HandOverError>())
            Assert.DoesNotContain("unknown", error.Describe());
    }
}
