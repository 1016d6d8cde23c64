using System.Text;
using StrixOS.Boot.Stage;

namespace StrixOS.Diagnostics;

/// <summary>
/// A stack backtrace by frame-pointer walk: ILC-compiled methods keep RBP frames, so [rbp] is the
/// caller's rbp and [rbp+8] the return address. The walk stops at the first frame pointer outside
/// the kernel's stacks, so a corrupt chain ends the trace instead of faulting.
/// </summary>
public static unsafe class Backtrace
{
    public const int MaxFrames = 32;

    /// <param name="rip">The faulting or current instruction pointer: the first frame.</param>
    /// <param name="rbp">The frame pointer of that frame: the chain is followed from here.</param>
    /// <param name="rsp">The stack pointer at a fault, or 0. A method that faults before setting up its
    /// frame (a leaf) leaves its return address at [rsp], not [rbp+8]: it is used when it follows a call.</param>
    public static string Format(ulong rip, ulong rbp, ulong rsp = 0)
    {
        var text = new StringBuilder();
        text.Append("    at ").Append(SymbolTable.Describe(rip)).Append('\n');
        if (rsp != 0 && IsOnKernelStack(rsp & ~7UL))
        {
            ulong top = *(ulong*)rsp;
            ulong framed = IsOnKernelStack(rbp) ? *(ulong*)(rbp + 8) : 0;
            if (top != framed && FollowsCall(top))
                text.Append("    at ").Append(SymbolTable.Describe(top - 1)).Append('\n');
        }
        for (int frame = 0; frame < MaxFrames && IsOnKernelStack(rbp); frame++)
        {
            ulong returnAddress = *(ulong*)(rbp + 8);
            if (returnAddress == 0)
                break;
            text.Append("    at ").Append(SymbolTable.Describe(returnAddress - 1)).Append('\n');
            ulong next = *(ulong*)rbp;
            if (next <= rbp)
                break;
            rbp = next;
        }
        return text.ToString();
    }

    /// <summary>True when the address is in kernel text right after a call instruction (a return address).</summary>
    private static bool FollowsCall(ulong address)
    {
        BootLayout* layout = BootLayout.Current;
        if (address < layout->TextStart + 6 || address >= layout->TextEnd)
            return false;
        byte* code = (byte*)address;
        return code[-5] == 0xE8                                   // call rel32
            || (code[-6] == 0xFF && code[-5] == 0x15)             // call [rip+disp32]
            || (code[-2] == 0xFF && (code[-1] & 0xF8) == 0xD0)    // call reg
            || (code[-3] == 0xFF && (code[-2] & 0x38) == 0x10);   // call [reg+disp8]
    }

    private static bool IsOnKernelStack(ulong address)
    {
        BootLayout* layout = BootLayout.Current;
        if ((address & 7) != 0)
            return false;
        return (address >= layout->StackGuard + 4096 && address + 16 <= layout->StackTop)
            || (address >= layout->DoubleFaultStackGuard + 4096 && address + 16 <= layout->MachineCheckStackTop);
    }
}
