using StrixOS.Boot;

namespace StrixOS.Drivers;

/// <summary>
/// Brings up the machine beyond the CPU and memory, in order: ACPI tables. Called once by the boot
/// sequence after the kernel heap is up.
/// </summary>
public static class MachineDevices
{
    public static void Start(BootInfo boot)
    {
        Platform.ReadAcpi(boot);
    }
}
