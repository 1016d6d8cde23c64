namespace StrixOS.Memory;

/// <summary>Why <see cref="MemoryManager.Init"/> refused.</summary>
public enum InitError : byte
{
    /// <summary>The offset is not 4 KiB aligned or not a canonical address.</summary>
    InvalidOffset,
}

public static class InitErrorExtensions
{
    /// <summary>A sentence for a panic message (enum names are not available in the kernel: no reflection).</summary>
    public static string Describe(this InitError error) => error switch
    {
        InitError.InvalidOffset => "PHYS_MEM_OFFSET is not 4 KiB aligned or not canonical",
        _ => "unknown page-table set-up error",
    };
}
