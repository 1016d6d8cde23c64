namespace StrixOS.Memory;

/// <summary>Why <see cref="PageTableEntry.Frame"/> has no 4 KiB frame to give.</summary>
public enum FrameError : byte
{
    /// <summary>The entry is not present.</summary>
    FrameNotPresent,
    /// <summary>The entry maps a huge page; read <see cref="PageTableEntry.Address"/> instead.</summary>
    HugeFrame,
}

public static class FrameErrorExtensions
{
    /// <summary>A sentence for a report or panic message (enum names are not available in the kernel: no reflection).</summary>
    public static string Describe(this FrameError error) => error switch
    {
        FrameError.FrameNotPresent => "the page-table entry is not present",
        FrameError.HugeFrame => "the entry maps a huge page, not a 4 KiB frame",
        _ => "unknown frame error",
    };
}
