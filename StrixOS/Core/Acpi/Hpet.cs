using System;

namespace StrixOS.Acpi;

/// <summary>The HPET description table: where the event-timer block is and how many comparators it has.</summary>
public readonly record struct Hpet(GenericAddress BaseAddress, int Comparators, bool Counter64Bit, ushort MinimumTick)
{
    public const int MinimumLength = 56;

    public static Hpet Parse(ReadOnlySpan<byte> table)
    {
        uint blockId = AcpiBytes.U32(table, 36);
        return new Hpet(GenericAddress.Read(table, 40), (int)((blockId >> 8) & 0x1F) + 1, (blockId & (1u << 13)) != 0,
            AcpiBytes.U16(table, 53));
    }
}
