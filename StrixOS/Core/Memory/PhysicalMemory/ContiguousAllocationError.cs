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

public static class ContiguousAllocationErrorExtensions
{
    /// <summary>A sentence for a report or panic message (enum names are not available in the kernel: no reflection).</summary>
    public static string Describe(this ContiguousAllocationError error) => error switch
    {
        ContiguousAllocationError.OutOfFrames => "no free run of frames that long",
        ContiguousAllocationError.InvalidCount => "the frame count is zero or too large",
        ContiguousAllocationError.InvalidAlignment => "the alignment is not a power of two of at least 4 KiB",
        _ => "unknown contiguous allocation error",
    };
}
