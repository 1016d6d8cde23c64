using System;
using System.Runtime;
using StrixOS.Boot.Stage;

namespace StrixOS.Runtime;

/// <summary>
/// The bounds of the stack the caller runs on, for RuntimeHelpers.EnsureSufficientExecutionStack
/// (records, LINQ's expression walkers and other deep recursions ask it). The kernel stack and the
/// interrupt stacks are fixed regions of the boot stage (boot.asm); each bound excludes the guard page.
/// </summary>
internal static unsafe class StackBounds
{
    [RuntimeExport("RhGetCurrentThreadStackBounds")]
    private static void GetCurrentThreadStackBounds(IntPtr* low, IntPtr* high)
    {
        (ulong bottom, ulong top) = Current();
        *low = (IntPtr)bottom;
        *high = (IntPtr)top;
    }

    /// <summary>The usable range [bottom, top) of the stack holding this call's frame.</summary>
    public static (ulong Bottom, ulong Top) Current()
    {
        ulong here = (ulong)&here;
        BootLayout* layout = BootLayout.Current;
        if (Contains(layout->DoubleFaultStackGuard, layout->DoubleFaultStackTop, here))
            return (layout->DoubleFaultStackGuard + 4096, layout->DoubleFaultStackTop);
        if (Contains(layout->NmiStackGuard, layout->NmiStackTop, here))
            return (layout->NmiStackGuard + 4096, layout->NmiStackTop);
        if (Contains(layout->MachineCheckStackGuard, layout->MachineCheckStackTop, here))
            return (layout->MachineCheckStackGuard + 4096, layout->MachineCheckStackTop);
        global::StrixOS.Threading.ThreadControl* thread = global::StrixOS.Threading.Scheduler.Current;
        if (Contains(thread->StackBottom - 4096, thread->StackTop, here))
            return (thread->StackBottom, thread->StackTop);
        return (layout->StackGuard + 4096, layout->StackTop);
    }

    private static bool Contains(ulong guard, ulong top, ulong address) => address > guard && address < top;
}
