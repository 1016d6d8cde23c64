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

    public static string Format(ulong rip, ulong rbp)
    {
        var text = new StringBuilder();
        text.Append("    at ").Append(SymbolTable.Describe(rip)).Append('\n');
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

    private static bool IsOnKernelStack(ulong address)
    {
        BootLayout* layout = BootLayout.Current;
        if ((address & 7) != 0)
            return false;
        return (address >= layout->StackGuard + 4096 && address + 16 <= layout->StackTop)
            || (address >= layout->DoubleFaultStackGuard + 4096 && address + 16 <= layout->MachineCheckStackTop);
    }
}
