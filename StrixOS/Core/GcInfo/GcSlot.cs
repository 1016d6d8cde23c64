namespace StrixOS.Runtime.GcInfo;

/// <summary>What kind of reference a GC info slot holds (GC info's GcSlotFlags).</summary>
[System.Flags]
public enum GcSlotFlags : byte
{
    None = 0,
    /// <summary>An interior pointer (a byref): it may point inside an object, or outside the heap.</summary>
    Interior = 1,
    /// <summary>The object must not move (a fixed local).</summary>
    Pinned = 2,
    /// <summary>Live for the whole method body (not tracked per code offset).</summary>
    Untracked = 4,
}

/// <summary>What a stack slot's offset is relative to (GC info's GcStackSlotBase).</summary>
public enum GcStackSlotBase : byte
{
    /// <summary>The caller's stack pointer: the frame's CFA.</summary>
    CallerSp = 0,
    /// <summary>The frame's own stack pointer at the safepoint.</summary>
    Sp = 1,
    /// <summary>The frame register named in the header (rbp on x64).</summary>
    FrameRegister = 2,
}

/// <summary>
/// One slot of a method's GC slot table: a register (x64 hardware numbering: rax=0, rcx, rdx, rbx,
/// rsp, rbp, rsi, rdi, r8..r15) or a stack location.
/// </summary>
public struct GcSlot
{
    public bool IsRegister;
    public uint Register;
    public GcStackSlotBase Base;
    public int Offset;
    public GcSlotFlags Flags;

    // System V x64: rbx, rbp, r12-r15 survive a call; every other register is scratch.
    public readonly bool IsCalleeSavedRegister => IsRegister && (Register is 3 or 5 || Register >= 12 && Register <= 15);
}
