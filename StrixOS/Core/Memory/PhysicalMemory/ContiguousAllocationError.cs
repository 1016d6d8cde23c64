namespace StrixOS.Memory.PhysicalMemory;

/// <summary>Why <see cref="BuddyFrameAllocator.AllocateContiguous"/> handed out no frames.</summary>
public enum ContiguousAllocationError : byte
{
    /// <summary>No free, suitably aligned run of that many frames exists.</summary>
    OutOfFrames,
    /// <summary>The count is zero.</summary>
    InvalidCount,
    /// <summary>The alignment is not a power of two of at least 4 KiB.</summary>
    InvalidAlignment,
}
