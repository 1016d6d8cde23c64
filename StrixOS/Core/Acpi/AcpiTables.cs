using System;
using System.Collections.Generic;
using StrixOS.Memory;
using StrixOS.Text;

namespace StrixOS.Acpi;

/// <summary>A table the RSDT/XSDT lists.</summary>
public readonly record struct AcpiTableEntry(string Signature, ulong Address);

/// <summary>
/// The ACPI tables StrixOS uses, found from the RSDP: the root table (XSDT when the RSDP is 2.0+ and gives
/// one, else the RSDT), the MADT, the FADT with its DSDT (for \_S5), and the HPET. Every table read has its
/// length and checksum verified; any malformed one refuses the whole set with an <see cref="AcpiError"/>.
/// A missing HPET is not an error; a missing MADT or FADT is.
/// </summary>
public sealed class AcpiTables
{
    public const int MaxRootEntries = 1024;

    public Rsdp Rsdp { get; private init; }
    public bool UsesXsdt { get; private init; }
    public IReadOnlyList<AcpiTableEntry> Tables => _tables;

    public Madt Madt { get; private init; } = null!;
    public Fadt Fadt { get; private init; } = null!;
    public Hpet? Hpet { get; private init; }
    /// <summary>\_S5's sleep types, or null when the DSDT has no \_S5 of the simple shape.</summary>
    public SleepState? S5 { get; private init; }

    // An array, not a List: List<T> is one more generic instantiation per entry type a boot translates once.
    private readonly AcpiTableEntry[] _tables;

    private AcpiTables(AcpiTableEntry[] tables) => _tables = tables;

    public static Result<AcpiTables, AcpiError> Parse(ReadOnlySpan<byte> rsdpBytes, IPhysicalMemoryReader memory)
    {
        Result<Rsdp, AcpiError> rsdp = Rsdp.Parse(rsdpBytes);
        if (rsdp.IsError)
            return rsdp.Error;
        bool xsdt = rsdp.Value.Revision >= 2 && rsdp.Value.XsdtAddress != 0;
        ulong rootAddress = xsdt ? rsdp.Value.XsdtAddress : rsdp.Value.RsdtAddress;
        string rootName = xsdt ? "XSDT" : "RSDT";
        Result<byte[], AcpiError> root = AcpiTableReader.Read(memory, rootAddress, rootName, AcpiTableReader.HeaderLength);
        if (root.IsError)
            return root.Error;

        int pointerSize = xsdt ? 8 : 4;
        byte[] rootBytes = root.Value;
        int count = (rootBytes.Length - AcpiTableReader.HeaderLength) / pointerSize;
        if ((rootBytes.Length - AcpiTableReader.HeaderLength) % pointerSize != 0 || count > MaxRootEntries)
            return new AcpiError(AcpiErrorKind.BadLength, rootName, rootAddress, (ulong)rootBytes.Length, AcpiTableReader.HeaderLength);

        var tables = new AcpiTableEntry[count];
        Span<byte> signature = stackalloc byte[4];
        for (int i = 0; i < count; i++)
        {
            int at = AcpiTableReader.HeaderLength + i * pointerSize;
            ulong address = xsdt ? AcpiBytes.U64(rootBytes, at) : AcpiBytes.U32(rootBytes, at);
            if (!memory.TryRead(address, signature))
                return new AcpiError(AcpiErrorKind.Unreadable, rootName + " entry", address, 4);
            tables[i] = new AcpiTableEntry(AcpiBytes.Ascii(signature), address);
        }

        Result<byte[], AcpiError> madtBytes = ReadListed(memory, tables, "APIC", Madt.MinimumLength);
        if (madtBytes.IsError)
            return madtBytes.Error;
        Result<Madt, AcpiError> madt = Madt.Parse(madtBytes.Value, Find(tables, "APIC"));
        if (madt.IsError)
            return madt.Error;

        Result<byte[], AcpiError> fadtBytes = ReadListed(memory, tables, "FACP", Fadt.MinimumLength);
        if (fadtBytes.IsError)
            return fadtBytes.Error;
        Fadt fadt = Fadt.Parse(fadtBytes.Value);

        SleepState? s5 = null;
        if (fadt.DsdtAddress != 0)
        {
            Result<byte[], AcpiError> dsdt = AcpiTableReader.Read(memory, fadt.DsdtAddress, "DSDT", AcpiTableReader.HeaderLength);
            if (dsdt.IsError)
                return dsdt.Error;
            if (SleepState.TryFindS5(dsdt.Value, out SleepState state))
                s5 = state;
        }

        Hpet? hpet = null;
        if (Find(tables, "HPET") != 0)
        {
            Result<byte[], AcpiError> hpetBytes = ReadListed(memory, tables, "HPET", Acpi.Hpet.MinimumLength);
            if (hpetBytes.IsError)
                return hpetBytes.Error;
            hpet = Acpi.Hpet.Parse(hpetBytes.Value);
        }

        return new AcpiTables(tables)
        {
            Rsdp = rsdp.Value,
            UsesXsdt = xsdt,
            Madt = madt.Value,
            Fadt = fadt,
            Hpet = hpet,
            S5 = s5,
        };
    }

    /// <summary>One line for the boot log: root table, what it lists, the interrupt controllers.</summary>
    public string Describe()
    {
        var text = new LineBuilder(stackalloc char[LineBuilder.LineLength]);
        Describe(ref text);
        return text.ToString();
    }

    /// <summary>The tables in one line, e.g. "ACPI RSDT (OEM BOCHS): FACP APIC HPET WAET; 1 CPU(s), ...". Built with
    /// <see cref="LineBuilder"/>, not interpolation or StringBuilder: the kernel prints it at every boot.</summary>
    public void Describe(ref LineBuilder text)
    {
        text.Append(UsesXsdt ? "ACPI XSDT (OEM " : "ACPI RSDT (OEM ");
        text.Append(TrimWhiteSpace(Rsdp.OemId));
        text.Append("): ");
        for (int i = 0; i < _tables.Length; i++)
        {
            if (i > 0)
                text.Append(' ');
            text.Append(_tables[i].Signature);
        }
        text.Append("; ");
        text.Decimal(Madt.LocalApicCount);
        text.Append(" CPU(s), ");
        text.Decimal(Madt.IoApics.Count);
        text.Append(" I/O APIC(s), ");
        text.Decimal(Madt.OverrideCount);
        text.Append(" ISA override(s); HPET ");
        if (Hpet is { } h)
        {
            text.Append("at 0x");
            text.HexUpper(h.BaseAddress.Address);
        }
        else
            text.Append("absent");
        text.Append("; \\_S5 ");
        if (S5 is { } s)
        {
            text.Append("SLP_TYP ");
            text.Decimal(s.TypeA);
            text.Append('/');
            text.Decimal(s.TypeB);
        }
        else
            text.Append("absent");
    }

    /// <summary>As <see cref="string.Trim()"/> without a new string: the OEM ID is space-padded, and CoreLib's trim of
    /// a padded string (its helper and a substring) is code only this line would translate at boot.</summary>
    private static ReadOnlySpan<char> TrimWhiteSpace(string text)
    {
        int start = 0;
        int end = text.Length;
        while (start < end && char.IsWhiteSpace(text[start]))
            start++;
        while (end > start && char.IsWhiteSpace(text[end - 1]))
            end--;
        return text.AsSpan(start, end - start);
    }

    private static ulong Find(AcpiTableEntry[] tables, string signature)
    {
        for (int i = 0; i < tables.Length; i++)
        {
            if (tables[i].Signature == signature)
                return tables[i].Address;
        }
        return 0;
    }

    private static Result<byte[], AcpiError> ReadListed(IPhysicalMemoryReader memory, AcpiTableEntry[] tables, string signature, int minimumLength)
    {
        ulong address = Find(tables, signature);
        if (address == 0)
            return new AcpiError(AcpiErrorKind.MissingTable, signature, 0);
        return AcpiTableReader.Read(memory, address, signature, minimumLength);
    }
}
