using System;
using StrixOS.Memory;

namespace StrixOS.Acpi;

/// <summary>The Root System Description Pointer: where the RSDT (ACPI 1.0) or XSDT (2.0+) is.</summary>
public readonly record struct Rsdp(byte Revision, string OemId, uint RsdtAddress, ulong XsdtAddress)
{
    public const int V1Length = 20;
    public const int V2Length = 36;

    /// <summary>Parses the bytes GRUB copied into tag 14 or 15; both checksums are verified.</summary>
    public static Result<Rsdp, AcpiError> Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0)
            return new AcpiError(AcpiErrorKind.NoRsdp, "RSDP", 0);
        if (bytes.Length < V1Length)
            return new AcpiError(AcpiErrorKind.BadRsdpLength, "RSDP", 0, (ulong)bytes.Length, V1Length);
        if (!bytes.Slice(0, 8).SequenceEqual("RSD PTR "u8))
            return new AcpiError(AcpiErrorKind.BadRsdpSignature, "RSDP", 0);
        byte sum = AcpiBytes.Sum(bytes.Slice(0, V1Length));
        if (sum != 0)
            return new AcpiError(AcpiErrorKind.BadRsdpChecksum, "RSDP", 0, sum);
        byte revision = bytes[15];
        string oem = AcpiBytes.Ascii(bytes.Slice(9, 6));
        uint rsdt = AcpiBytes.U32(bytes, 16);
        if (revision < 2)
            return new Rsdp(revision, oem, rsdt, 0);

        if (bytes.Length < V2Length)
            return new AcpiError(AcpiErrorKind.BadRsdpLength, "RSDP", 0, (ulong)bytes.Length, V2Length);
        uint length = AcpiBytes.U32(bytes, 20);
        if (length < V2Length || length > bytes.Length)
            return new AcpiError(AcpiErrorKind.BadRsdpLength, "RSDP", 0, length, V2Length);
        sum = AcpiBytes.Sum(bytes.Slice(0, (int)length));
        if (sum != 0)
            return new AcpiError(AcpiErrorKind.BadRsdpChecksum, "RSDP", 0, sum);
        return new Rsdp(revision, oem, rsdt, AcpiBytes.U64(bytes, 24));
    }
}
