using System.Diagnostics.CodeAnalysis;
using StrixOS.Acpi;
using StrixOS.Boot;
using StrixOS.Diagnostics;
using StrixOS.Plugs;

namespace StrixOS.Drivers;

/// <summary>
/// Leaving the machine. Under QEMU with <c>-device isa-debug-exit,iobase=0xf4,iosize=0x04</c> a
/// write of v to port 0xF4 ends QEMU with status (v &lt;&lt; 1) | 1: 0x10 gives 33 (success),
/// 0x11 gives 35 (failure). Without that device a successful stop powers the machine off through
/// ACPI (QEMU then exits with 0); a failure halts with interrupts off, so the report stays readable
/// on the screen and the serial console.
/// </summary>
public static class Machine
{
    public const ushort DebugExitPort = 0xF4;
    public const uint SuccessCode = 0x10;
    public const uint FailureCode = 0x11;

    private const ushort KeyboardControllerStatus = 0x64;
    private const byte KeyboardControllerPulseReset = 0xFE;

    [DoesNotReturn]
    public static void Shutdown(bool success)
    {
        Ports.Out32(DebugExitPort, success ? SuccessCode : FailureCode);
        if (success)
            AcpiPower.TryPowerOff();
        X64.HaltForever();
        while (true) { }
    }

    /// <summary>Restarts the machine: the FADT reset register, then the 8042's reset line, then a triple fault.</summary>
    [DoesNotReturn]
    public static void Reboot() => Reboot(RebootMethod.AcpiResetRegister);

    /// <summary>Restarts the machine, trying <paramref name="first"/> and the methods after it in turn (each
    /// announced on the console); the boot tests start later in the chain to check every fallback.</summary>
    [DoesNotReturn]
    public static void Reboot(RebootMethod first)
    {
        X64.DisableInterrupts();
        if (first <= RebootMethod.AcpiResetRegister)
        {
            Fadt? fadt = Platform.Acpi?.Fadt;
            if (fadt != null && fadt.ResetSupported && fadt.ResetRegister.AddressSpace == GenericAddress.SystemIo)
                KernelLog.Info($"reboot: FADT reset register (I/O port 0x{fadt.ResetRegister.Address:X} <- 0x{fadt.ResetValue:X2})");
            else
                KernelLog.Info("reboot: no FADT reset register in I/O space");
            AcpiPower.TryReset();
        }
        if (first <= RebootMethod.KeyboardController)
        {
            KernelLog.Info("reboot: 8042 keyboard controller, pulse reset line");
            // Wait until its input buffer is empty (an absent controller reads 0xFF: give up after a while).
            for (int i = 0; i < 100_000 && (Ports.In8(KeyboardControllerStatus) & 2) != 0; i++)
                X64.Pause();
            Ports.Out8(KeyboardControllerStatus, KeyboardControllerPulseReset);
            for (int i = 0; i < 1_000_000; i++)
                X64.Pause();
        }
        KernelLog.Info("reboot: triple fault");
        X64.TripleFault();
        while (true) { }
    }

    /// <summary><c>strix.reboot</c> (or <c>=acpi</c>, <c>=8042</c>, <c>=triple-fault</c>): reboot at the end of
    /// device start-up, from that method on. An unknown value is a panic.</summary>
    public static void RebootIfAsked(CommandLine commandLine)
    {
        if (!commandLine.Has("strix.reboot"))
            return;
        commandLine.TryGetValue("strix.reboot", out string method);
        switch (method)
        {
            case "":
            case "acpi":
                Reboot(RebootMethod.AcpiResetRegister);
                break;
            case "8042":
                Reboot(RebootMethod.KeyboardController);
                break;
            case "triple-fault":
                Reboot(RebootMethod.TripleFault);
                break;
            default:
                Panic.Fail($"strix.reboot={method}: unknown method (acpi, 8042, triple-fault)");
                break;
        }
    }
}
