using System;
using System.Collections.Generic;
using StrixOS.Memory;
using StrixOS.Memory.PhysicalMemory;
using StrixOS.Tests.Memory;
using Xunit;
using static StrixOS.Tests.PhysicalMemory.BuddyFixture;

namespace StrixOS.Tests.PhysicalMemory;

/// <summary>
/// Which frames the start-up gets, and which free frames it writes (list headers): under QEMU the first write to
/// each 2 MiB region of guest RAM costs the host a huge page (docs/benchmarks.md, "The start-up inside the image's
/// region"). The boot allocator serves the lowest frames above the first MiB; the buddy allocator splits the smallest
/// free block that fits, and cuts its untouched tails lowest first in blocks of at most 2 MiB, so the start-up writes
/// no frame of a 2 MiB region above the ones it takes frames from.
/// </summary>
public class BuddyAllocationOrderTests
{
    private const ulong MiB = 1024 * 1024;
    private const ulong Fill = 0xA5;

    /// <summary>The boot memory map at 128M with a 256 KiB early heap, to 16 MiB: low memory, the kernel's range, the
    /// spent frames and expander (free again), the modules, the boot information's copy, the rest.</summary>
    private static MemoryMap ImageRegionMap() => Normalize(
        new MemoryRegion(0x1000, 0x9F000, MemoryRegionType.Usable),
        new MemoryRegion(0x9F000, MiB, MemoryRegionType.Reserved),
        new MemoryRegion(MiB, 0x2B4000, MemoryRegionType.Reserved),
        new MemoryRegion(0x2B4000, 0x2E4000, MemoryRegionType.Usable),
        new MemoryRegion(0x2E4000, 0x309000, MemoryRegionType.Reserved),
        new MemoryRegion(0x309000, 0x30A000, MemoryRegionType.BootInformation),
        new MemoryRegion(0x30A000, 16 * MiB, MemoryRegionType.Usable));

    /// <summary>Memory filled with <see cref="Fill"/>, the boot allocator as MemorySystem builds it (above the first MiB),
    /// <paramref name="bootFrames"/> frames from it, then the hand-over.</summary>
    private static (SimulatedPhysicalMemory Memory, BootInfoFrameAllocator Boot, BuddyFrameAllocator Frames) Start(MemoryMap map, int bootFrames)
    {
        SimulatedPhysicalMemory memory = new(16 * MiB, zero: false);
        memory.Bytes(PhysAddr.TryNew(0).Value, 16 * MiB).Fill((byte)Fill);
        BootInfoFrameAllocator boot = new(map, preferFrom: BuddyFrameAllocator.LowMemoryEnd);
        for (int i = 0; i < bootFrames; i++)
            Assert.True(boot.AllocateFrame().IsOk);
        BuddyFrameAllocator frames = BuddyFrameAllocator.HandOver(boot, memory.Offset, holdReclaimable: true).Value;
        return (memory, boot, frames);
    }

    private static bool Untouched(SimulatedPhysicalMemory memory, ulong start, ulong end)
        => memory.Bytes(PhysAddr.TryNew(start).Value, end - start).IndexOfAnyExcept((byte)Fill) < 0;

    [Fact]
    public void TheBootAllocatorServesTheLowestFramesAboveTheFirstMiB_TheSpentExpanderFirst()
    {
        BootInfoFrameAllocator boot = new(ImageRegionMap(), preferFrom: BuddyFrameAllocator.LowMemoryEnd);
        var served = new List<ulong>();
        for (int i = 0; i < 60; i++)
            served.Add(boot.AllocateFrame().Value.StartAddress.Value);
        for (int i = 0; i < 48; i++)
            Assert.Equal(0x2B4000 + (ulong)i * Frame, served[i]);
        for (int i = 48; i < 60; i++)
            Assert.Equal(0x30A000 + (ulong)(i - 48) * Frame, served[i]);
        Assert.Equal(0x30A000UL + 12 * Frame, boot.AllocateContiguous(3).Value.StartAddress.Value);
    }

    [Fact]
    public void SingleFramesFillThe2MiBRegionBelowBeforeAnyIsTakenOrWrittenAbove()
    {
        (SimulatedPhysicalMemory memory, _, BuddyFrameAllocator frames) = Start(ImageRegionMap(), bootFrames: 20);
        using (memory)
        {
            // Free above the first MiB and below 4 MiB: the spent expander's 48 frames but 20, and 0x30A000-0x400000
            // but the bitmap's frame.
            ulong below = 28 + (0x400000 - 0x30A000) / Frame - 1;
            for (ulong i = 0; i < below; i++)
            {
                ulong frame = frames.AllocateFrame().Value.StartAddress.Value;
                Assert.True(frame >= MiB && frame < 0x400000, $"frame {i} at 0x{frame:X}");
            }
            Assert.True(Untouched(memory, 0x400000, 16 * MiB), "a frame at or above 4 MiB was written before 4 MiB was full");

            // The next one is the lowest above; cutting it off the tail writes into its own 2 MiB region only.
            Assert.Equal(0x400000UL, frames.AllocateFrame().Value.StartAddress.Value);
            Assert.True(Untouched(memory, 0x600000, 16 * MiB), "cutting a block for one frame at 4 MiB wrote above 6 MiB");
        }
    }

    [Fact]
    public void FreesAndAllocationsInAnyOrderStayBelowAsLongAsTheFramesInUseFit()
    {
        (SimulatedPhysicalMemory memory, _, BuddyFrameAllocator frames) = Start(ImageRegionMap(), bootFrames: 20);
        using (memory)
        {
            int below = 28 + (int)((0x400000 - 0x30A000) / Frame) - 1;
            var random = new Random(17);
            var inUse = new List<ulong>();
            for (int step = 0; step < 20_000; step++)
            {
                if (inUse.Count < below && (inUse.Count == 0 || random.Next(3) != 0))
                {
                    ulong frame = frames.AllocateFrame().Value.StartAddress.Value;
                    Assert.True(frame < 0x400000, $"step {step}: frame at 0x{frame:X} with {inUse.Count} of {below} in use");
                    inUse.Add(frame);
                }
                else
                {
                    int pick = random.Next(inUse.Count);
                    Assert.True(frames.Free(FrameAt(inUse[pick])).IsOk);
                    inUse[pick] = inUse[^1];
                    inUse.RemoveAt(inUse.Count - 1);
                }
            }
            Assert.True(Untouched(memory, 0x400000, 16 * MiB), "a free block header was written at or above 4 MiB");
        }
    }

    [Fact]
    public void TheSmallestFreeBlockThatFitsIsSplit_NotALowerLargerOne()
    {
        (SimulatedPhysicalMemory memory, _, BuddyFrameAllocator frames) = Start(ImageRegionMap(), bootFrames: 0);
        using (memory)
        {
            while (frames.AllocateFrame().IsOk)
            {
            }
            // A free 32-frame block low, a free 4-frame block high: the single frame comes from the 4-frame block.
            Assert.Equal(32UL, frames.FreeContiguous(PhysFrameRange.TryNew(FrameAt(0x320000), 32).Value).Value);
            Assert.Equal(4UL, frames.FreeContiguous(PhysFrameRange.TryNew(FrameAt(0xE00000), 4).Value).Value);
            Assert.Equal(0xE00000UL, frames.AllocateFrame().Value.StartAddress.Value);
            Assert.Equal(0xE01000UL, frames.AllocateFrame().Value.StartAddress.Value);
            Assert.Equal(34UL, frames.FreeFrames);
        }
    }

    [Fact]
    public void ABlockCutSmallerForOneFrameMergesBackWhole_AndLargeRequestsStillGetTheirBlock()
    {
        // 4-12 MiB: the tail's first block would be 4 MiB (0x400000-0x800000), then 4 MiB more.
        MemoryMap map = Normalize(new MemoryRegion(MiB, 0x101000, MemoryRegionType.Usable),
            new MemoryRegion(0x400000, 12 * MiB, MemoryRegionType.Usable));
        (SimulatedPhysicalMemory memory, _, BuddyFrameAllocator frames) = Start(map, bootFrames: 0);
        using (memory)
        {
            // The bitmap takes the first MiB's one frame; the first frame of the rest is 0x400000, cut as 2 MiB.
            Assert.Equal(MiB, frames.MetadataStart.Value);
            PhysFrame first = frames.AllocateFrame().Value;
            Assert.Equal(0x400000UL, first.StartAddress.Value);
            Assert.True(Untouched(memory, 0x600000, 12 * MiB));
            Assert.Equal(1UL, frames.FreeBlockCount(BuddyFrameAllocator.Order2MiB + 1));   // 0x800000: still the tail's

            // Given back, it merges into 0x400000-0x800000 again: both 4 MiB blocks can be had.
            Assert.True(frames.Free(first).IsOk);
            Assert.Equal(2UL, frames.FreeBlockCount(BuddyFrameAllocator.Order2MiB + 1));
            Assert.Equal(0x400000UL, frames.AllocateContiguous(1024, 4 * MiB).Value.Start.StartAddress.Value);
            Assert.Equal(0x800000UL, frames.AllocateContiguous(1024, 4 * MiB).Value.Start.StartAddress.Value);
            Assert.Equal(0UL, frames.FreeFrames);
        }
    }
}
