using System;
using StrixOS.Memory;

namespace StrixOS.Acpi;

/// <summary>Reads one system description table: header first, then the whole table, its checksum verified.</summary>
public static class AcpiTableReader
{
    public const int HeaderLength = 36;
    /// <summary>Larger than any real table (a big DSDT is a few hundred KiB); guards against a garbage length.</summary>
    public const uint MaxTableLength = 4 * 1024 * 1024;

    /// <param name="memory">Reads the physical memory the table lies in.</param>
    /// <param name="address">The physical address of the table header.</param>
    /// <param name="signature">The expected signature, or null to accept any (then read for its name).</param>
    /// <param name="minimumLength">The smallest length the caller can parse.</param>
    public static Result<byte[], AcpiError> Read(IPhysicalMemoryReader memory, ulong address, string? signature, int minimumLength)
    {
        string name = signature ?? "table";
        Span<byte> header = stackalloc byte[HeaderLength];
        if (!memory.TryRead(address, header))
            return new AcpiError(AcpiErrorKind.Unreadable, name, address, HeaderLength);
        string found = AcpiBytes.Ascii(header.Slice(0, 4));
        if (signature != null && found != signature)
            return new AcpiError(AcpiErrorKind.BadSignature, signature, address, found: found);
        uint length = AcpiBytes.U32(header, 4);
        uint minimum = (uint)Math.Max(minimumLength, HeaderLength);
        if (length < minimum || length > MaxTableLength)
            return new AcpiError(AcpiErrorKind.BadLength, found, address, length, minimum);
        byte[] table = new byte[length];
        if (!memory.TryRead(address, table))
            return new AcpiError(AcpiErrorKind.Unreadable, found, address, length);
        byte sum = AcpiBytes.Sum(table);
        if (sum != 0)
            return new AcpiError(AcpiErrorKind.BadChecksum, found, address, sum);
        return table;
    }
}
