using System;
using System.Collections.Generic;
using StrixOS.Memory;
using StrixOS.Memory.PhysicalMemory;
using StrixOS.Tests.Memory;

namespace StrixOS.Tests.PhysicalMemory;

/// <summary>
/// A normalised memory map in simulated physical memory, a boot allocator that has handed out some frames,
/// and the buddy allocator that took over from it.
/// </summary>
public sealed class BuddyFixture : IDisposable
{
    public const ulong Frame = 4096;

    /// <param name="map">The normalised memory map the allocators serve.</param>
    /// <param name="bootFrames">Frames the boot allocator hands out before the hand-over.</param>
    /// <param name="beforeHandOver">Runs on the boot allocator after the <paramref name="bootFrames"/> and before the hand-over.</param>
    /// <param name="holdReclaimable">Hold reclaimable regions in use until <c>Reclaim</c>, as the kernel does.</param>
    public BuddyFixture(MemoryMap map, ulong bootFrames, Action<BootInfoFrameAllocator>? beforeHandOver = null, bool holdReclaimable = false)
    {
        Map = map;
        ulong size = map.HighestAddress == 0 ? Frame : (map.HighestAddress + Frame - 1) & ~(Frame - 1);
        Memory = new SimulatedPhysicalMemory(size, zero: false);
        Boot = new BootInfoFrameAllocator(map);
        for (ulong i = 0; i < bootFrames; i++)
            BootFrames.Add(Boot.AllocateFrame().Value.StartAddress.Value);
        beforeHandOver?.Invoke(Boot);
        HandOverResult = BuddyFrameAllocator.HandOver(Boot, Memory.Offset, holdReclaimable);
        Allocator = HandOverResult.ValueOr(null!);
    }

    public Result<BuddyFrameAllocator, HandOverError> HandOverResult { get; }

    public MemoryMap Map { get; }
    public SimulatedPhysicalMemory Memory { get; }
    public BootInfoFrameAllocator Boot { get; }
    /// <summary>Null when the hand-over failed (<see cref="HandOverResult"/>).</summary>
    public BuddyFrameAllocator Allocator { get; }
    /// <summary>Frames the boot allocator handed out before the hand-over, in order.</summary>
    public List<ulong> BootFrames { get; } = new();

    /// <summary>Every Usable frame of the map, in address order.</summary>
    public List<ulong> UsableFrames()
    {
        List<ulong> frames = new();
        foreach (MemoryRegion region in Map.Regions)
        {
            if (region.Type != MemoryRegionType.Usable)
                continue;
            for (ulong frame = region.Start; frame < region.End; frame += Frame)
                frames.Add(frame);
        }
        return frames;
    }

    /// <summary>The frames holding the allocator's bitmap.</summary>
    public List<ulong> MetadataFrames()
    {
        List<ulong> frames = new();
        for (ulong i = 0; i < Allocator.MetadataFrames; i++)
            frames.Add(Allocator.MetadataStart.Value + i * Frame);
        return frames;
    }

    /// <summary>Normalises <paramref name="firmware"/> (no reserved ranges) into a map.</summary>
    public static MemoryMap Normalize(params MemoryRegion[] firmware)
    {
        Result<MemoryMap, MemoryMapError> normalized = MemoryMapNormalizer.Normalize(firmware, ReadOnlySpan<MemoryRegion>.Empty);
        if (normalized.TryGetError(out MemoryMapError error))
            throw new InvalidOperationException("test map rejected: " + error);
        return normalized.Value;
    }

    public static PhysFrame FrameAt(ulong address, PageSize size = PageSize.Size4KiB)
        => PhysFrame.TryFromStartAddress(PhysAddr.TryNew(address).Value, size).Value;

    public void Dispose() => Memory.Dispose();
}
