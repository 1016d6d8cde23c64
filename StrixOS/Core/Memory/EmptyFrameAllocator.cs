namespace StrixOS.Memory;

/// <summary>An allocator with no frames: for mappings that are known to need no new page table.</summary>
public sealed class EmptyFrameAllocator : IFrameAllocator
{
    public Result<PhysFrame, AllocationError> AllocateFrame() => AllocationError.OutOfFrames;

    public bool CanAllocate(ulong count) => count == 0;
}
