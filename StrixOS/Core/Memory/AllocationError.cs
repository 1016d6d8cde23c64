namespace StrixOS.Memory;

/// <summary>Why a frame allocator handed out no frame.</summary>
public enum AllocationError : byte
{
    /// <summary>Every frame the allocator manages is taken.</summary>
    OutOfFrames,
    /// <summary>The frame size asked for is not a <see cref="PageSize"/> the hardware has.</summary>
    InvalidPageSize,
}

public static class AllocationErrorExtensions
{
    /// <summary>A sentence for a report or panic message (enum names are not available in the kernel: no reflection).</summary>
    public static string Describe(this AllocationError error) => error switch
    {
        AllocationError.OutOfFrames => "out of physical frames",
        AllocationError.InvalidPageSize => "the frame size asked for is not 4 KiB, 2 MiB or 1 GiB",
        _ => "unknown frame allocation error",
    };
}
