using System;

namespace StrixOS.Acpi;

/// <summary>
/// The SLP_TYP values to write to PM1a/PM1b control for a sleep state, read from the DSDT's AML
/// (<c>Name (_S5, Package () { a, b, ... })</c>). Only that one shape is read, not general AML: a name
/// object whose first two package elements are integer constants.
/// </summary>
public readonly record struct SleepState(byte TypeA, byte TypeB)
{
    private const byte NameOp = 0x08;
    private const byte RootPrefix = 0x5C;
    private const byte PackageOp = 0x12;

    /// <summary>Finds \_S5 in the AML bytes after the DSDT header; false if it is absent or has another shape.</summary>
    public static bool TryFindS5(ReadOnlySpan<byte> dsdt, out SleepState state)
    {
        state = default;
        ReadOnlySpan<byte> aml = dsdt.Length > AcpiTableReader.HeaderLength ? dsdt.Slice(AcpiTableReader.HeaderLength) : default;
        for (int i = 1; i + 4 < aml.Length; i++)
        {
            if (!aml.Slice(i, 4).SequenceEqual("_S5_"u8))
                continue;
            bool named = aml[i - 1] == NameOp || (aml[i - 1] == RootPrefix && i >= 2 && aml[i - 2] == NameOp);
            if (!named || aml[i + 4] != PackageOp)
                continue;
            int p = i + 5;
            if (p >= aml.Length)
                return false;
            p += 1 + (aml[p] >> 6);   // PkgLength: the lead byte's top two bits count the extra bytes
            p += 1;                    // NumElements
            if (!TryReadInteger(aml, ref p, out byte a) || !TryReadInteger(aml, ref p, out byte b))
                return false;
            state = new SleepState(a, b);
            return true;
        }
        return false;
    }

    /// <summary>ZeroOp, OneOp, OnesOp or a byte/word/dword constant; SLP_TYP is 3 bits, so the low byte is enough.</summary>
    private static bool TryReadInteger(ReadOnlySpan<byte> aml, ref int p, out byte value)
    {
        value = 0;
        if (p >= aml.Length)
            return false;
        byte op = aml[p++];
        int extra;
        switch (op)
        {
            case 0x00: value = 0; return true;
            case 0x01: value = 1; return true;
            case 0xFF: value = 0xFF; return true;
            case 0x0A: extra = 1; break;
            case 0x0B: extra = 2; break;
            case 0x0C: extra = 4; break;
            default: return false;
        }
        if (p + extra > aml.Length)
            return false;
        value = aml[p];
        p += extra;
        return true;
    }
}
