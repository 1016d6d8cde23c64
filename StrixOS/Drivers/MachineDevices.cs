using StrixOS.Boot;
using StrixOS.Cpu;

namespace StrixOS.Drivers;

/// <summary>
/// Brings up the machine beyond the CPU and memory, in order: ACPI tables, interrupt controllers, the
/// APIC timer, keyboard and serial input. Called once by the boot
/// sequence after the kernel heap is up.
/// </summary>
public static class MachineDevices
{
    public static void Start(BootInfo boot, CommandLine commandLine)
    {
        Platform.ReadAcpi(boot);
        Interrupts.Initialize(Platform.Acpi?.Madt);
        Clock.Calibrate(Platform.Acpi?.Hpet is { } hpet && hpet.BaseAddress.AddressSpace == Acpi.GenericAddress.SystemMemory ? hpet.BaseAddress.Address : 0);
        Diagnostics.KernelLog.Info($"screen: {Screen.BootScreen.Description}");
        Input.Ps2Keyboard.Initialize();
        Input.SerialInput.Initialize();
        ClockProbes.Run(commandLine);
        Machine.RebootIfAsked(commandLine);
    }
}
