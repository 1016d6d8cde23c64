using System;
using System.Runtime.InteropServices;

namespace StrixOS.Threading;

/// <summary>The assembly half of the scheduler (context.asm).</summary>
internal static unsafe class ContextSwitch
{
    /// <summary>Saves the callee-saved registers and MXCSR/x87 control word on this stack, stores the stack pointer
    /// in <paramref name="saveStackPointer"/>, and resumes the thread whose stack pointer is <paramref name="newStackPointer"/>.
    /// Returns when some thread switches back to this one. Interrupts must be off.</summary>
    [DllImport("*", EntryPoint = "strix_switch_context"), SuppressGCTransition]
    public static extern void Switch(ulong* saveStackPointer, ulong newStackPointer);

    [DllImport("*", EntryPoint = "strix_thread_start_address"), SuppressGCTransition]
    public static extern ulong ThreadStartAddress();

    [DllImport("*", EntryPoint = "strix_gc_hijack_stub_address"), SuppressGCTransition]
    public static extern ulong HijackStubAddress();

    [DllImport("*", EntryPoint = "strix_tls_image"), SuppressGCTransition]
    public static extern void TlsImage(ulong* start, ulong* initializedBytes, ulong* blockBytes);

    /// <summary>The words of a switched-out stack above the saved stack pointer (context.asm).</summary>
    public const int SavedFpuControlSlot = 0, SavedR15Slot = 1, SavedR14Slot = 2, SavedR13Slot = 3, SavedR12Slot = 4,
        SavedRbxSlot = 5, SavedRbpSlot = 6, ReturnAddressSlot = 7, SavedWords = 8;

    /// <summary>MXCSR with every exception masked, and the x87 control word after FNINIT: a new thread's FPU state.</summary>
    public const ulong InitialFpuControl = 0x1F80UL | (0x037FUL << 32);
}

/// <summary>What strix_gc_hijack_stub saved (context.asm), from its stack pointer up.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct HijackFrame
{
    public UInt128 Xmm0, Xmm1;
    public ulong R15, R14, R13, R12, Rbp, Rbx, R11, R10, R9, R8, Rdi, Rsi, Rdx, Rcx, Rax;
    /// <summary>Where the stub returns to: the hijacked method's real return address.</summary>
    public ulong ReturnAddress;
}
