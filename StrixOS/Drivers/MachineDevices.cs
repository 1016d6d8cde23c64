using StrixOS.Boot;
using StrixOS.Cpu;

namespace StrixOS.Drivers;

/// <summary>
/// Brings up the machine beyond the CPU and memory, in order: ACPI tables, interrupt controllers, the
/// APIC timer and the scheduler, keyboard and serial input. Called once by the boot
/// sequence after the kernel heap is up.
/// </summary>
public static class MachineDevices
{
    public static void Start(BootInfo boot, CommandLine commandLine)
    {
        // The APIC timer's calibration counts while ACPI is parsed, instead of in a wait when the scheduler starts.
        Clock.BeginTimerCalibration();
        Platform.ReadAcpi(boot);
        Diagnostics.BootTrace.Mark("ACPI tables");
        Interrupts.Initialize(Platform.Acpi?.Madt);
        Diagnostics.BootTrace.Mark("interrupt controllers");
        Clock.Start(Platform.Acpi?.Hpet is { } hpet && hpet.BaseAddress.AddressSpace == Acpi.GenericAddress.SystemMemory ? hpet.BaseAddress.Address : 0);
        Diagnostics.BootTrace.Mark("clock (TSC measured at first use)");
        Threading.Scheduler.Start();
        Runtime.Collector.FinalizerThread.Start();
        Diagnostics.BootTrace.Mark("scheduler (APIC timer calibrated), finalizer thread");
        Diagnostics.KernelLog.Info("screen: " + Screen.BootScreen.Description);
        Input.Ps2Keyboard.Initialize();
        Input.SerialInput.Initialize();
        ClockProbes.Run(commandLine);
        Diagnostics.BootTrace.Mark("screen, keyboard, serial input");
        Machine.RebootIfAsked(commandLine);
    }
}
