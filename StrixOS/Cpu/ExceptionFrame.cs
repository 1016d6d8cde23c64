using System.Runtime.InteropServices;

namespace StrixOS.Cpu;

/// <summary>
/// The stack at a CPU exception, as interrupts.asm leaves it: the general-purpose registers it
/// pushed (last pushed first), the vector and error code, then what the CPU pushed.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct ExceptionFrame
{
    public ulong R15, R14, R13, R12, R11, R10, R9, R8;
    public ulong Rbp, Rdi, Rsi, Rdx, Rcx, Rbx, Rax;
    public ulong Vector, ErrorCode;
    public ulong Rip, Cs, Rflags, Rsp, Ss;
}
