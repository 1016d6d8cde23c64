namespace StrixOS.Memory;

/// <summary>Why <see cref="MemoryManager.Init"/> refused.</summary>
public enum InitError : byte
{
    /// <summary>Init already ran: PHYS_MEM_OFFSET is set once per boot.</summary>
    AlreadyInitialized,
    /// <summary>The offset is not 4 KiB aligned or not a canonical address.</summary>
    InvalidOffset,
}
