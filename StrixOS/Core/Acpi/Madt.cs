using System;
using System.Collections.Generic;
using StrixOS.Memory;

namespace StrixOS.Acpi;

/// <summary>A processor's local APIC (MADT entry type 0).</summary>
public readonly record struct MadtLocalApic(byte ProcessorId, byte ApicId, bool Enabled);

/// <summary>An I/O APIC and the first global system interrupt (GSI) it serves (MADT entry type 1).</summary>
public readonly record struct MadtIoApic(byte Id, uint Address, uint GsiBase);

/// <summary>
/// An ISA IRQ wired to another GSI, or with another polarity or trigger mode (MADT entry type 2).
/// Flags: bits 0-1 polarity (0 bus default, 1 active high, 3 active low), bits 2-3 trigger (0 bus default,
/// 1 edge, 3 level).
/// </summary>
public readonly record struct InterruptOverride(byte Source, uint Gsi, ushort Flags)
{
    /// <summary>ISA's default is active high; only an explicit 3 makes it low.</summary>
    public bool ActiveLow => (Flags & 3) == 3;
    /// <summary>ISA's default is edge; only an explicit 3 makes it level.</summary>
    public bool LevelTriggered => ((Flags >> 2) & 3) == 3;
}

/// <summary>The Multiple APIC Description Table ("APIC"): the interrupt controllers.</summary>
public sealed class Madt
{
    public const int MinimumLength = 44;

    public ulong LocalApicAddress { get; private set; }
    /// <summary>PCAT_COMPAT: the machine also has dual 8259 PICs (to be masked).</summary>
    public bool HasLegacyPics { get; private set; }
    public IReadOnlyList<MadtLocalApic> LocalApics => _localApics;
    public IReadOnlyList<MadtIoApic> IoApics => _ioApics;
    public IReadOnlyList<InterruptOverride> Overrides => _overrides;
    public int LocalApicCount => _localApics.Length;
    public int OverrideCount => _overrides.Length;

    // Sized by a first pass over the entries. Arrays where the boot reads them directly (List<T> is one more
    // generic instantiation per entry type a boot translates once); the I/O APICs stay a List because the
    // interrupt set-up reads them through IReadOnlyList, which List answers without an interface dispatch.
    private readonly MadtLocalApic[] _localApics;
    private readonly List<MadtIoApic> _ioApics;
    private readonly InterruptOverride[] _overrides;

    private Madt(int localApics, int ioApics, int overrides)
    {
        _localApics = new MadtLocalApic[localApics];
        _ioApics = new List<MadtIoApic>(ioApics);
        _overrides = new InterruptOverride[overrides];
    }

    /// <summary>The GSI and flags an ISA IRQ arrives on: an override if there is one, else the same number, edge, high.</summary>
    public InterruptOverride RouteIsaIrq(byte irq)
    {
        for (int i = 0; i < _overrides.Length; i++)
        {
            if (_overrides[i].Source == irq)
                return _overrides[i];
        }
        return new InterruptOverride(irq, irq, 0);
    }

    /// <summary>Parses a table whose header and checksum <see cref="AcpiTableReader"/> verified.</summary>
    public static Result<Madt, AcpiError> Parse(ReadOnlySpan<byte> table, ulong address)
    {
        // First pass: every entry's length is checked and the entries of each kind counted.
        int localApics = 0, ioApics = 0, overrides = 0;
        int offset = MinimumLength;
        while (offset < table.Length)
        {
            if (table.Length - offset < 2)
                return new AcpiError(AcpiErrorKind.BadEntry, "APIC", address, (ulong)offset, (ulong)(table.Length - offset));
            byte type = table[offset];
            byte length = table[offset + 1];
            int needed = type switch { 0 => 8, 1 => 12, 2 => 10, 5 => 12, _ => 2 };
            if (length < needed || length > table.Length - offset)
                return new AcpiError(AcpiErrorKind.BadEntry, "APIC", address, (ulong)offset, length);
            localApics += type == 0 ? 1 : 0;
            ioApics += type == 1 ? 1 : 0;
            overrides += type == 2 ? 1 : 0;
            offset += length;
        }

        var madt = new Madt(localApics, ioApics, overrides)
        {
            LocalApicAddress = AcpiBytes.U32(table, 36),
            HasLegacyPics = (AcpiBytes.U32(table, 40) & 1) != 0,
        };
        int localApic = 0, interruptOverride = 0;
        for (offset = MinimumLength; offset < table.Length; offset += table[offset + 1])
        {
            ReadOnlySpan<byte> entry = table.Slice(offset, table[offset + 1]);
            switch (entry[0])
            {
                case 0:
                    madt._localApics[localApic++] = new MadtLocalApic(entry[2], entry[3], (AcpiBytes.U32(entry, 4) & 1) != 0);
                    break;
                case 1:
                    madt._ioApics.Add(new MadtIoApic(entry[2], AcpiBytes.U32(entry, 4), AcpiBytes.U32(entry, 8)));
                    break;
                case 2:
                    madt._overrides[interruptOverride++] = new InterruptOverride(entry[3], AcpiBytes.U32(entry, 4), AcpiBytes.U16(entry, 8));
                    break;
                case 5:
                    madt.LocalApicAddress = AcpiBytes.U64(entry, 4);
                    break;
            }
        }
        return madt;
    }
}
