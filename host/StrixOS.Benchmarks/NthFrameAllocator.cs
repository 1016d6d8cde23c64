using System;
using StrixOS.Memory;

namespace StrixOS.Benchmarks;

/// <summary>
/// A C# transcription of the seed's allocator, kept only as a benchmark reference: each allocation steps
/// through the usable frames from the start, one by one, to the n-th (the seed's usable_frames().nth(next)),
/// so it is O(frames) per call and O(n^2) to drain. The seed itself is Rust, where nth over its iterator
/// chain need not step frame by frame: this is not a measurement of the seed (docs/benchmarks.md).
/// </summary>
public sealed class NthFrameAllocator : IFrameAllocator
{
    private readonly MemoryRegion[] _regions;
    private ulong _next;

    public NthFrameAllocator(ReadOnlySpan<MemoryRegion> regions) => _regions = regions.ToArray();

    public Result<PhysFrame, AllocationError> AllocateFrame()
    {
        ulong index = 0;
        foreach (MemoryRegion region in _regions)
        {
            if (region.Type != MemoryRegionType.Usable)
                continue;
            for (ulong address = (region.Start + 0xFFF) & ~0xFFFUL; address + 0x1000 <= region.End; address += 0x1000)
            {
                if (index == _next)
                {
                    _next++;
                    return PhysFrame.TryFromStartAddress(PhysAddr.NewTruncate(address)).Value;
                }
                index++;
            }
        }
        return AllocationError.OutOfFrames;
    }

    public bool CanAllocate(ulong count)
    {
        ulong total = 0;
        foreach (MemoryRegion region in _regions)
        {
            if (region.Type == MemoryRegionType.Usable)
                total += (region.End & ~0xFFFUL) - ((region.Start + 0xFFF) & ~0xFFFUL);
        }
        return count <= total / 0x1000 - _next;
    }
}
