using StrixOS.Acpi;
using StrixOS.Plugs;

namespace StrixOS.Drivers;

/// <summary>
/// Power off and reset through the FADT: S5 (soft off) by writing SLP_TYP | SLP_EN to PM1a (and PM1b)
/// control, the reset register when the FADT offers one. Writes only I/O-space registers, which is what
/// PCs use; a memory-space register is reported as unsupported by returning false.
/// </summary>
public static class AcpiPower
{
    private const ushort SciEnable = 1;
    private const ushort SleepEnable = 1 << 13;

    /// <summary>Returns only if the machine did not switch off (no ACPI, no \_S5, or the write had no effect).</summary>
    public static bool TryPowerOff()
    {
        AcpiTables? acpi = Platform.Acpi;
        if (acpi?.S5 is not { } s5)
            return false;
        Fadt fadt = acpi.Fadt;
        if (!IsIo(fadt.Pm1aControl))
            return false;
        EnterAcpiMode(fadt);
        WritePm1(fadt.Pm1aControl, s5.TypeA);
        if (IsIo(fadt.Pm1bControl))
            WritePm1(fadt.Pm1bControl, s5.TypeB);
        // Give the chipset a moment; a real machine is off long before this loop ends.
        for (int i = 0; i < 1_000_000; i++)
            X64.Pause();
        return false;
    }

    /// <summary>Writes the FADT's reset value to its reset register (I/O space only).</summary>
    public static bool TryReset()
    {
        Fadt? fadt = Platform.Acpi?.Fadt;
        if (fadt == null || !fadt.ResetSupported || fadt.ResetRegister.AddressSpace != GenericAddress.SystemIo)
            return false;
        Ports.Out8((ushort)fadt.ResetRegister.Address, fadt.ResetValue);
        for (int i = 0; i < 1_000_000; i++)
            X64.Pause();
        return false;
    }

    private static bool IsIo(GenericAddress register) =>
        register.IsPresent && register.AddressSpace == GenericAddress.SystemIo && register.Address <= 0xFFFF;

    /// <summary>The firmware may still own the power registers (SCI_EN clear): ask it to hand them over.</summary>
    private static void EnterAcpiMode(Fadt fadt)
    {
        ushort port = (ushort)fadt.Pm1aControl.Address;
        if ((Ports.In16(port) & SciEnable) != 0 || fadt.SmiCommandPort == 0 || fadt.AcpiEnableValue == 0)
            return;
        Ports.Out8((ushort)fadt.SmiCommandPort, fadt.AcpiEnableValue);
        for (int i = 0; i < 3_000_000 && (Ports.In16(port) & SciEnable) == 0; i++)
            X64.Pause();
    }

    private static void WritePm1(GenericAddress control, byte sleepType)
    {
        ushort port = (ushort)control.Address;
        ushort value = (ushort)((Ports.In16(port) & ~(7 << 10)) | ((sleepType & 7) << 10) | SleepEnable);
        Ports.Out16(port, value);
    }
}
