using System;
using StrixOS.Memory;

namespace StrixOS.Acpi;

/// <summary>
/// The Fixed ACPI Description Table ("FACP"): power-management registers, the DSDT, the reset register.
/// ACPI 1.0's 116-byte table is accepted; later fields are read only when the table is long enough.
/// </summary>
public sealed class Fadt
{
    public const int MinimumLength = 116;
    private const int ResetRegisterEnd = 129;
    private const int XDsdtEnd = 148;
    private const int XPm1ControlEnd = 196;

    public ulong DsdtAddress { get; private init; }
    public ushort SciInterrupt { get; private init; }
    public uint SmiCommandPort { get; private init; }
    public byte AcpiEnableValue { get; private init; }
    public GenericAddress Pm1aControl { get; private init; }
    public GenericAddress Pm1bControl { get; private init; }
    public uint Flags { get; private init; }
    /// <summary>IAPC_BOOT_ARCH: bit 1 an 8042 keyboard controller, bit 2 no VGA.</summary>
    public ushort BootArchitecture { get; private init; }
    public GenericAddress ResetRegister { get; private init; }
    public byte ResetValue { get; private init; }

    /// <summary>FADT flag RESET_REG_SUP: the reset register may be used.</summary>
    public bool ResetSupported => (Flags & (1u << 10)) != 0 && ResetRegister.IsPresent;

    /// <summary>IAPC_BOOT_ARCH bit 1. ACPI 1.0 tables leave it 0; treat 0 as "maybe" when the table is that old.</summary>
    public bool Has8042 => (BootArchitecture & 2) != 0;

    public static Fadt Parse(ReadOnlySpan<byte> table)
    {
        ulong dsdt = AcpiBytes.U32(table, 40);
        if (table.Length >= XDsdtEnd && AcpiBytes.U64(table, 140) != 0)
            dsdt = AcpiBytes.U64(table, 140);
        GenericAddress pm1a = IoBlock(AcpiBytes.U32(table, 64), table[89]);
        GenericAddress pm1b = IoBlock(AcpiBytes.U32(table, 68), table[89]);
        if (table.Length >= XPm1ControlEnd)
        {
            GenericAddress x = GenericAddress.Read(table, 172);
            if (x.IsPresent)
                pm1a = x;
            x = GenericAddress.Read(table, 184);
            if (x.IsPresent)
                pm1b = x;
        }
        return new Fadt
        {
            DsdtAddress = dsdt,
            SciInterrupt = AcpiBytes.U16(table, 46),
            SmiCommandPort = AcpiBytes.U32(table, 48),
            AcpiEnableValue = table[52],
            Pm1aControl = pm1a,
            Pm1bControl = pm1b,
            BootArchitecture = AcpiBytes.U16(table, 109),
            Flags = AcpiBytes.U32(table, 112),
            ResetRegister = table.Length >= ResetRegisterEnd ? GenericAddress.Read(table, 116) : default,
            ResetValue = table.Length >= ResetRegisterEnd ? table[128] : (byte)0,
        };
    }

    private static GenericAddress IoBlock(uint port, byte lengthBytes)
        => new(GenericAddress.SystemIo, (byte)(lengthBytes * 8), 0, 0, port);
}
