namespace StrixOS.Memory;

/// <summary>Why a frame allocator handed out no frame.</summary>
public enum AllocationError : byte
{
    /// <summary>Every frame the allocator manages is taken.</summary>
    OutOfFrames,
}
