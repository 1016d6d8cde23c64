using System.Collections.Generic;
using StrixOS.Memory;
using Xunit;

namespace StrixOS.Tests.Memory;

public class FrameAllocatorTests
{
    private static MemoryRegion Usable(ulong start, ulong end) => new(start, end, MemoryRegionType.Usable);
    private static MemoryRegion Reserved(ulong start, ulong end) => new(start, end, MemoryRegionType.Reserved);

    /// <summary>A boot allocator over the normalised map of <paramref name="firmware"/>.</summary>
    private static BootInfoFrameAllocator Over(params MemoryRegion[] firmware)
        => new(MemoryMapNormalizer.Normalize(firmware, System.ReadOnlySpan<MemoryRegion>.Empty).Value);

    private static List<ulong> Drain(BootInfoFrameAllocator allocator)
    {
        List<ulong> frames = new();
        while (allocator.AllocateFrame().TryGetValue(out PhysFrame frame))
        {
            Assert.Equal(PageSize.Size4KiB, frame.Size);
            frames.Add(frame.StartAddress.Value);
        }
        return frames;
    }

    [Fact]
    public void HandsOutUsableFramesInAddressOrderThenReportsExhaustion()
    {
        BootInfoFrameAllocator allocator = Over(
            Reserved(0, 0x1000),
            Usable(0x1000, 0x3000),
            Reserved(0x3000, 0x5000),
            Usable(0x5000, 0x6000),
            new MemoryRegion(0x6000, 0x8000, MemoryRegionType.Kernel),
            Usable(0x10000, 0x12000));
        Assert.Equal(5UL, allocator.TotalFrames);
        Assert.True(allocator.CanAllocate(5));
        Assert.False(allocator.CanAllocate(6));
        Assert.Equal(new ulong[] { 0x1000, 0x2000, 0x5000, 0x10000, 0x11000 }, Drain(allocator));
        Assert.Equal(0UL, allocator.RemainingFrames);
        Assert.Equal(5UL, allocator.AllocatedFrames);
        for (int i = 0; i < 3; i++)
            Assert.Equal(AllocationError.OutOfFrames, allocator.AllocateFrame().Error);
        Assert.True(allocator.CanAllocate(0));
        Assert.False(allocator.CanAllocate(1));
    }

    [Fact]
    public void ServesTheMapTheNormaliserMadeSafe()
    {
        BootInfoFrameAllocator allocator = Over(
            Usable(0x8000, 0xA800),            // shrinks to 0x8000..0xA000
            Usable(0x1800, 0x4000),            // shrinks to 0x2000..0x4000
            Usable(0x3000, 0x6000),            // overlaps the previous one
            Reserved(0x4800, 0x4900),          // blocks the whole frame 0x4000
            Usable(0x9000, 0x9000));           // empty
        Assert.Equal(new ulong[] { 0x2000, 0x3000, 0x5000, 0x8000, 0x9000 }, Drain(allocator));
    }

    [Fact]
    public void ContiguousFramesComeFromTheCursorWhenTheyFit()
    {
        BootInfoFrameAllocator allocator = Over(Usable(0x1000, 0x8000), Reserved(0x8000, 0x10000), Usable(0x10000, 0x20000));
        Assert.Equal(0x1000UL, allocator.AllocateFrame().Value.StartAddress.Value);
        Assert.Equal(0x2000UL, allocator.AllocateContiguous(3).Value.StartAddress.Value);
        Assert.Equal(0x5000UL, allocator.AllocateFrame().Value.StartAddress.Value);
        Assert.Equal(5UL, allocator.AllocatedFrames);
        Assert.Equal(0x6000UL, allocator.FirstFreeOf(0));
        Assert.Equal(0x10000UL, allocator.FirstFreeOf(1));
    }

    [Fact]
    public void ContiguousFramesThatDoNotFitSkipTheRestOfTheRegion()
    {
        BootInfoFrameAllocator allocator = Over(Usable(0x1000, 0x5000), Reserved(0x5000, 0x10000), Usable(0x10000, 0x20000));
        Assert.Equal(0x1000UL, allocator.AllocateFrame().Value.StartAddress.Value);
        Assert.Equal(0x10000UL, allocator.AllocateContiguous(4).Value.StartAddress.Value);
        // Three frames of the first region are skipped: still free (FirstFreeOf), no longer handed out here.
        Assert.Equal(0x2000UL, allocator.FirstFreeOf(0));
        Assert.Equal(0x14000UL, allocator.FirstFreeOf(1));
        Assert.Equal(5UL, allocator.AllocatedFrames);
        Assert.Equal(12UL, allocator.RemainingFrames);
        Assert.Equal(0x14000UL, allocator.AllocateFrame().Value.StartAddress.Value);
    }

    [Fact]
    public void ContiguousFramesNoRegionHoldsAreRefusedAndChangeNothing()
    {
        BootInfoFrameAllocator allocator = Over(Usable(0x1000, 0x5000), Reserved(0x5000, 0x10000), Usable(0x10000, 0x14000));
        Assert.Equal(AllocationError.OutOfFrames, allocator.AllocateContiguous(5).Error);
        Assert.Equal(8UL, allocator.RemainingFrames);
        Assert.Equal(0UL, allocator.AllocatedFrames);
        Assert.Equal(0x1000UL, allocator.AllocateFrame().Value.StartAddress.Value);
    }

    [Fact]
    public void PreferFrom_ServesOnlyTheRegionsAtOrAboveIt_AndLeavesTheOnesBelowFree()
    {
        MemoryMap map = MemoryMapNormalizer.Normalize(new[]
        {
            Usable(0x1000, 0x9F000), Reserved(0x9F000, 0x100000), Usable(0x100000, 0x103000), Usable(0x200000, 0x202000),
        }, System.ReadOnlySpan<MemoryRegion>.Empty).Value;
        BootInfoFrameAllocator allocator = new(map, preferFrom: 0x100000);
        Assert.Equal(5UL, allocator.RemainingFrames);                        // the 158 frames below 1 MiB are not counted
        Assert.Equal(0x100000UL, allocator.AllocateContiguous(2).Value.StartAddress.Value);
        Assert.Equal(new ulong[] { 0x102000, 0x200000, 0x201000 }, Drain(allocator));
        Assert.Equal(0x1000UL, allocator.FirstFreeOf(0));                    // all of low memory stays free
        Assert.Equal(0x103000UL, allocator.FirstFreeOf(1));
        Assert.Equal(0x202000UL, allocator.FirstFreeOf(2));
    }

    [Fact]
    public void PreferFrom_AboveEveryRegion_ServesFromTheLowestAsWithout()
    {
        MemoryMap map = MemoryMapNormalizer.Normalize(new[] { Usable(0x1000, 0x3000), Usable(0x5000, 0x6000) },
            System.ReadOnlySpan<MemoryRegion>.Empty).Value;
        BootInfoFrameAllocator allocator = new(map, preferFrom: 0x100000);
        Assert.Equal(new ulong[] { 0x1000, 0x2000, 0x5000 }, Drain(allocator));
    }

    [Fact]
    public void AnEmptyMapIsExhaustedFromTheStart()
    {
        BootInfoFrameAllocator allocator = Over();
        Assert.Equal(0UL, allocator.TotalFrames);
        Assert.Equal(AllocationError.OutOfFrames, allocator.AllocateFrame().Error);
    }

    [Fact]
    public void WorksThroughTheInterface()
    {
        IFrameAllocator allocator = Over(Usable(0x4000, 0x6000));
        Assert.Equal(0x4000UL, allocator.AllocateFrame().Value.StartAddress.Value);
        Assert.True(allocator.CanAllocate(1));
        Assert.Equal(0x5000UL, allocator.AllocateFrame().Value.StartAddress.Value);
        Assert.True(allocator.AllocateFrame().IsError);
    }

    [Fact]
    public void TheEmptyAllocatorAlwaysFails()
    {
        EmptyFrameAllocator allocator = new();
        Assert.Equal(AllocationError.OutOfFrames, allocator.AllocateFrame().Error);
        Assert.True(allocator.CanAllocate(0));
        Assert.False(allocator.CanAllocate(1));
    }
}
