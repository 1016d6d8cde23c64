using System;
using StrixOS.Memory;

namespace StrixOS.Benchmarks;

/// <summary>
/// The seed's allocator, kept only as a benchmark reference: each allocation walks the usable frames from
/// the start and takes the n-th (usable_frames().nth(next)), so it is O(n) per call and O(n^2) to drain.
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
