namespace StrixOS.Memory;

/// <summary>Hands out unused 4 KiB physical frames.</summary>
public interface IFrameAllocator
{
    /// <summary>A frame nobody else owns, or <see cref="AllocationError.OutOfFrames"/>.</summary>
    Result<PhysFrame, AllocationError> AllocateFrame();

    /// <summary>
    /// True when the next <paramref name="count"/> calls of <see cref="AllocateFrame"/> (with no other call
    /// in between) will all succeed. The mapper asks this before it changes anything, which is how a failed
    /// map leaves the tables untouched and leaks no frame.
    /// </summary>
    bool CanAllocate(ulong count);
}
