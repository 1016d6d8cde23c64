using System.Runtime.InteropServices;

namespace StrixOS.Plugs;

/// <summary>The CPU's interrupt flag (irq.asm): critical sections and the idle wait.</summary>
public static unsafe class InterruptFlag
{
    /// <summary>Turns interrupts off and returns the flags to give back to <see cref="Restore"/>.</summary>
    [DllImport("*", EntryPoint = "strix_interrupts_save_disable"), SuppressGCTransition] public static extern ulong SaveAndDisable();
    /// <summary>Turns interrupts back on if they were on when <see cref="SaveAndDisable"/> ran.</summary>
    [DllImport("*", EntryPoint = "strix_interrupts_restore"), SuppressGCTransition] public static extern void Restore(ulong flags);
    /// <summary>sti; hlt: sleeps until the next interrupt, with no window in which a wake-up could be missed.</summary>
    [DllImport("*", EntryPoint = "strix_sti_hlt"), SuppressGCTransition] public static extern void EnableAndHalt();
    /// <summary>The addresses of the 224 hardware-interrupt stubs (irq.asm), vector 32 first.</summary>
    [DllImport("*", EntryPoint = "strix_get_irq_stubs"), SuppressGCTransition] public static extern ulong* IrqStubs();

    public static bool Enabled
    {
        get
        {
            ulong flags = SaveAndDisable();
            Restore(flags);
            return (flags & 0x200) != 0;
        }
    }
}
