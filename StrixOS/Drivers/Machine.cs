using System.Diagnostics.CodeAnalysis;
using StrixOS.Plugs;

namespace StrixOS.Drivers;

/// <summary>
/// Leaving the machine. Under QEMU with <c>-device isa-debug-exit,iobase=0xf4,iosize=0x04</c> a
/// write of v to port 0xF4 ends QEMU with status (v &lt;&lt; 1) | 1: 0x10 gives 33 (success),
/// 0x11 gives 35 (failure). Without that device the write does nothing and the CPU halts with
/// interrupts off, leaving the serial console readable.
/// </summary>
public static class Machine
{
    public const ushort DebugExitPort = 0xF4;
    public const uint SuccessCode = 0x10;
    public const uint FailureCode = 0x11;

    [DoesNotReturn]
    public static void Shutdown(bool success)
    {
        Ports.Out32(DebugExitPort, success ? SuccessCode : FailureCode);
        X64.HaltForever();
        while (true) { }
    }
}
