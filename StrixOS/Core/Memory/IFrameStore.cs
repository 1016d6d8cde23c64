namespace StrixOS.Memory;

/// <summary>A frame allocator that also takes frames back (the buddy allocator): what owners of page tables
/// that come and go, such as address spaces, need from one object.</summary>
public interface IFrameStore : IFrameAllocator, IFrameDeallocator
{
}
