using System.Runtime.InteropServices;

namespace StrixOS.Plugs;

/// <summary>x86 I/O port access (in/out), implemented in cpu.asm.</summary>
public static class Ports
{
    [DllImport("*", EntryPoint = "strix_inb"), SuppressGCTransition] public static extern byte In8(ushort port);
    [DllImport("*", EntryPoint = "strix_inw"), SuppressGCTransition] public static extern ushort In16(ushort port);
    [DllImport("*", EntryPoint = "strix_inl"), SuppressGCTransition] public static extern uint In32(ushort port);
    [DllImport("*", EntryPoint = "strix_outb"), SuppressGCTransition] public static extern void Out8(ushort port, byte value);
    [DllImport("*", EntryPoint = "strix_outw"), SuppressGCTransition] public static extern void Out16(ushort port, ushort value);
    [DllImport("*", EntryPoint = "strix_outl"), SuppressGCTransition] public static extern void Out32(ushort port, uint value);
}
