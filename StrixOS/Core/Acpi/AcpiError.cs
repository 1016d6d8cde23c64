namespace StrixOS.Acpi;

/// <summary>
/// A refused ACPI structure: what was wrong, in which table (its signature), at which physical address,
/// with the offending value and the limit or expected value where one applies.
/// </summary>
public readonly struct AcpiError
{
    public AcpiError(AcpiErrorKind kind, string table = "", ulong address = 0, ulong value = 0, ulong expected = 0, string found = "")
    {
        Found = found;
        Kind = kind;
        Table = table;
        Address = address;
        Value = value;
        Expected = expected;
    }

    public AcpiErrorKind Kind { get; }
    public string Table { get; }
    public ulong Address { get; }
    public ulong Value { get; }
    public ulong Expected { get; }
    /// <summary>The signature found where <see cref="Table"/> was expected (BadSignature).</summary>
    public string Found { get; }

    public string Describe() => Kind switch
    {
        AcpiErrorKind.NoRsdp => "no RSDP: the boot loader passed no multiboot2 tag 14 or 15",
        AcpiErrorKind.BadRsdpSignature => "RSDP: signature is not \"RSD PTR \"",
        AcpiErrorKind.BadRsdpChecksum => $"RSDP: checksum fails (bytes sum to 0x{Value:X2}, not 0)",
        AcpiErrorKind.BadRsdpLength => $"RSDP: length {Value} is shorter than {Expected}",
        AcpiErrorKind.Unreadable => $"{Table} at 0x{Address:X}: {Value} bytes cannot be read (outside mapped memory)",
        AcpiErrorKind.BadSignature => $"{Table} at 0x{Address:X}: signature is \"{Found}\"",
        AcpiErrorKind.BadLength => $"{Table} at 0x{Address:X}: length {Value} outside [{Expected}, {AcpiTableReader.MaxTableLength}]",
        AcpiErrorKind.BadChecksum => $"{Table} at 0x{Address:X}: checksum fails (bytes sum to 0x{Value:X2}, not 0)",
        AcpiErrorKind.BadEntry => $"{Table} at 0x{Address:X}: entry at offset {Value} has a bad length ({Expected})",
        AcpiErrorKind.MissingTable => $"{Table}: not present",
        AcpiErrorKind.None => "no error",
        _ => $"unknown ACPI error {(int)Kind}",
    };

    public override string ToString() => Describe();
}
