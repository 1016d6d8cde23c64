using System;

namespace StrixOS.Cpu;

/// <summary>The bits of a page-fault error code (Intel SDM vol. 3, figure 4-12).</summary>
[Flags]
public enum PageFaultErrorBits : ulong
{
    None = 0,
    /// <summary>Set: a protection violation on a present page. Clear: the page was not present.</summary>
    Present = 1 << 0,
    /// <summary>Set: a write. Clear: a read.</summary>
    Write = 1 << 1,
    /// <summary>Set: the access came from user mode (CPL 3).</summary>
    User = 1 << 2,
    ReservedBit = 1 << 3,
    InstructionFetch = 1 << 4,
    ProtectionKey = 1 << 5,
    ShadowStack = 1 << 6,
    Sgx = 1 << 15,
}
