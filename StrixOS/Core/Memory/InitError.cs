namespace StrixOS.Memory;

/// <summary>Why <see cref="MemoryManager.Init"/> refused.</summary>
public enum InitError : byte
{
    /// <summary>The offset is not 4 KiB aligned or not a canonical address.</summary>
    InvalidOffset,
}
