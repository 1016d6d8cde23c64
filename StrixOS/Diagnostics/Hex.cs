namespace StrixOS.Diagnostics;

/// <summary>Hex formatting for addresses and registers: always 0x plus 16 digits, so columns line up.</summary>
public static class Hex
{
    public static string Format(ulong value) => $"0x{value:x16}";
}
