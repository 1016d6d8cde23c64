using StrixOS.Acpi;
using StrixOS.Boot;
using StrixOS.Diagnostics;
using StrixOS.Memory;
using StrixOS.Text;

namespace StrixOS.Drivers;

/// <summary>
/// What the firmware told the kernel about the machine: the ACPI tables, read once at boot. When they are
/// missing or malformed the reason is logged and <see cref="Acpi"/> stays null; the drivers then fall back
/// to the PC's fixed addresses where there are any.
/// </summary>
public static class Platform
{
    public static AcpiTables? Acpi { get; private set; }

    public static void ReadAcpi(BootInfo boot)
    {
        Result<AcpiTables, AcpiError> tables = AcpiTables.Parse(boot.Rsdp, new OffsetMapReader());
        if (tables.IsError)
        {
            KernelLog.Warning($"acpi: tables refused: {tables.Error.Describe()}");
            return;
        }
        Acpi = tables.Value;
        var line = new LineBuilder(stackalloc char[LineBuilder.LineLength]);
        line.Append("acpi: ");
        Acpi.Describe(ref line);
        KernelLog.Info(line.Written);
    }
}
