using System;

namespace StrixOS.Acpi;

/// <summary>ACPI Generic Address Structure: a register in memory or I/O space.</summary>
public readonly record struct GenericAddress(byte AddressSpace, byte BitWidth, byte BitOffset, byte AccessSize, ulong Address)
{
    public const byte SystemMemory = 0;
    public const byte SystemIo = 1;
    public const int Size = 12;

    public bool IsPresent => Address != 0;

    internal static GenericAddress Read(ReadOnlySpan<byte> b, int offset)
        => new(b[offset], b[offset + 1], b[offset + 2], b[offset + 3], AcpiBytes.U64(b, offset + 4));
}
