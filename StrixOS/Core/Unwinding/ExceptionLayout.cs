using System.Runtime.InteropServices;
using StrixOS.Runtime.Unwinding;

namespace StrixOS.Runtime.Exceptions;

/// <summary>
/// The structures CoreLib's exception dispatcher shares with the runtime, at the offsets CoreLib
/// was compiled with (.NET 10, linux-x64). Verified against CoreLib's own metadata (the explicit
/// FieldOffset/size values of EH.ExInfo, StackFrameIterator, REGDISPLAY, EH.PAL_LIMITED_CONTEXT and
/// EH.EHEnum in System.Private.CoreLib.dll 10.0.12) and against dotnet/runtime's AsmOffsets.h:
/// ExInfo 0x190 bytes (m_pPrevExInfo 0, m_pExContext 8, m_exception 0x10, m_kind 0x18,
/// m_passNumber 0x19, m_idxCurClause 0x1C, m_frameIter 0x20, m_notifyDebuggerSP 0x188);
/// StackFrameIterator 0x168 (m_FramePointer 0x10, m_ControlPC 0x18, m_RegDisplay 0x20,
/// m_OriginalControlPC 0x158, m_pPreviousTransitionFrame 0x160); REGDISPLAY 0x88 (SP at 0x78);
/// PAL_LIMITED_CONTEXT 0x50 (IP at 0); EHEnum 0x20. exceptions.asm uses the same numbers.
/// </summary>
public static class ExceptionLayout
{
    public const int ExInfoSize = 0x190;
    public const int ExInfoPrevious = 0x00;
    public const int ExInfoContext = 0x08;
    public const int ExInfoException = 0x10;
    public const int ExInfoKind = 0x18;
    public const int ExInfoPassNumber = 0x19;
    public const int ExInfoCurrentClause = 0x1C;
    public const int ExInfoFrameIterator = 0x20;
    public const int StackFrameIteratorSize = 0x168;
    public const int StackFrameIteratorRegisters = 0x20;
    public const int RegisterSetSize = 0x88;
    public const int EhEnumSize = 0x20;
    public const uint NoClause = 0xFFFFFFFF;
}

/// <summary>NativeAOT's PAL_LIMITED_CONTEXT for amd64 Unix: what the throw helpers push.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct LimitedContext
{
    public ulong Ip, Rsp, Rbp, Rax, Rbx, Rdx, R12, R13, R14, R15;
}

/// <summary>
/// NativeAOT's REGDISPLAY for amd64 Unix: for each general register, where its value for this
/// frame is stored (a save slot on the stack or in the throw context; null when not known), then
/// the frame's stack pointer and instruction pointer. The GC can update references through these
/// pointers, callee-saved registers included.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = ExceptionLayout.RegisterSetSize)]
public unsafe struct RegisterSet
{
    public const int Rax = 0, Rcx = 1, Rdx = 2, Rbx = 3, Rbp = 4, Rsi = 5, Rdi = 6, R8 = 7, R12 = 11, R13 = 12, R14 = 13, R15 = 14;
    public const int Count = 15;

    [FieldOffset(0x00)] public fixed ulong Locations[Count];
    [FieldOffset(0x78)] public ulong Sp;
    [FieldOffset(0x80)] public ulong Ip;

    /// <summary>REGDISPLAY slot of a DWARF x86-64 register number, or -1 (rsp, the return address).</summary>
    public static int SlotOfDwarfRegister(int dwarf) => dwarf switch
    {
        0 => Rax, 1 => Rdx, 2 => Rcx, 3 => Rbx, 4 => Rsi, 5 => Rdi, 6 => Rbp,
        >= 8 and <= 15 => R8 + (dwarf - 8),
        _ => -1,
    };

    public ulong Value(int slot) => Locations[slot] == 0 ? 0 : *(ulong*)Locations[slot];
}

/// <summary>
/// NativeAOT's StackFrameIterator as CoreLib sees it (it reads FramePointer, ControlPC, the register
/// set, OriginalControlPC), with the runtime's private part holding the current method.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = ExceptionLayout.StackFrameIteratorSize)]
public struct FrameIteratorState
{
    /// <summary>Non-zero when the current frame's IP is a faulting instruction, not a return address.</summary>
    [FieldOffset(0x00)] public ulong IsFaultingFrame;
    [FieldOffset(0x10)] public ulong FramePointer;
    [FieldOffset(0x18)] public ulong ControlPC;
    [FieldOffset(0x20)] public RegisterSet Registers;
    [FieldOffset(0xA8)] public ManagedMethodInfo Method;
    /// <summary>The current code's FDE, kept for the unwind step (runtime-private, up to 0x158).</summary>
    [FieldOffset(0xD0)] public FrameDescription Code;
    [FieldOffset(0x158)] public ulong OriginalControlPC;
    [FieldOffset(0x160)] public ulong PreviousTransitionFrame;
}

/// <summary>Addresses from exceptions.asm and the linker script.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct ExceptionSymbols
{
    public ulong EhFrameStart, EhFrameEnd;
    public ulong CatchFuncletReturn, FinallyFuncletReturn, FilterFuncletReturn;
    public ulong ThrowHardwareException;
    /// <summary>Where a thread's exception state (its ExInfo chain head first) lies relative to its thread pointer
    /// (the FS base): a thread-local variable, one per thread.</summary>
    public ulong ExceptionStateThreadOffset;
    public ulong ClasslibFunctions, ClasslibFunctionCount;
    /// <summary>The first address of the kernel image (its "OS module" for stack traces).</summary>
    public ulong ImageBase;
    /// <summary>The return addresses of the throw helpers' calls into the dispatcher (RhThrowEx, RhRethrow,
    /// RhThrowHwEx): a walk that unwinds the dispatcher's entry lands there, with the ExInfo at its stack pointer.</summary>
    public ulong ThrowReturn, RethrowReturn, HardwareThrowReturn;
}
