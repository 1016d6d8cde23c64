using StrixOS.Text;

namespace StrixOS.Diagnostics;

/// <summary>Hex formatting for addresses and registers: always 0x plus 16 digits, so columns line up.</summary>
public static class Hex
{
    // Not $"0x{value:x16}": that is CoreLib's general formatting, which a boot need not translate (LineBuilder).
    public static string Format(ulong value)
    {
        var text = new LineBuilder(stackalloc char[18]);
        text.Hex16(value);
        return text.ToString();
    }
}
