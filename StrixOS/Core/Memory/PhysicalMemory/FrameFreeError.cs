namespace StrixOS.Memory.PhysicalMemory;

/// <summary>Why <see cref="BuddyFrameAllocator"/> refused to take frames back. A refused free changed nothing.</summary>
public enum FrameFreeError : byte
{
    /// <summary>At least one frame is outside every Usable region: the allocator never owned it.</summary>
    NotUsable,
    /// <summary>At least one frame is already free (a double free).</summary>
    DoubleFree,
    /// <summary>At least one frame holds the allocator's own bitmap.</summary>
    MetadataFrame,
}

public static class FrameFreeErrorExtensions
{
    /// <summary>A sentence for a panic message (enum names are not available in the kernel: no reflection).</summary>
    public static string Describe(this FrameFreeError error) => error switch
    {
        FrameFreeError.NotUsable => "the frame was never Usable memory (not owned by the frame allocator)",
        FrameFreeError.DoubleFree => "the frame is already free (double free)",
        FrameFreeError.MetadataFrame => "the frame holds the frame allocator's bitmap",
        _ => "unknown frame free error",
    };
}
