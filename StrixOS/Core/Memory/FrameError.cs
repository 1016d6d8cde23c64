namespace StrixOS.Memory;

/// <summary>Why <see cref="PageTableEntry.Frame"/> has no 4 KiB frame to give.</summary>
public enum FrameError : byte
{
    /// <summary>The entry is not present.</summary>
    FrameNotPresent,
    /// <summary>The entry maps a huge page; read <see cref="PageTableEntry.Address"/> instead.</summary>
    HugeFrame,
}
