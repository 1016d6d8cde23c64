using System;
using StrixOS.Boot;

namespace StrixOS.Diagnostics;

/// <summary>
/// The kernel's own symbols, so reports can name C# methods and types. The build writes them
/// (`nm -n` of the linked ELF, sorted by address: "address kind name" lines) to strix.sym,
/// which GRUB loads as the module named "strix.symbols". Names are ILC's symbol names:
/// methods are Assembly_Namespace_Type__Method; a type's MethodTable is _ZTV&lt;length&gt;&lt;name&gt;.
/// </summary>
public static unsafe class SymbolTable
{
    public const string ModuleName = "strix.symbols";

    // The module's text, read in place (it stays loaded: KernelHost does not reclaim modules). Nothing
    // is parsed at boot: a lookup binary-searches the sorted lines, so boot pays nothing for a table
    // that is read only when something goes wrong.
    private static byte* s_text;
    private static int s_length;

    public static bool IsLoaded => s_text != null;

    public static void Load(BootInfo bootInfo)
    {
        foreach (BootModule module in bootInfo.Modules)
        {
            if (module.Name == ModuleName)
            {
                s_text = (byte*)(bootInfo.PhysicalMemoryOffset + module.Start);
                s_length = (int)(module.End - module.Start);
                return;
            }
        }
    }

    /// <summary>The symbol at or below the address, and how far past its start the address is.</summary>
    public static bool TryFind(ulong address, out string name, out ulong offset)
    {
        name = "";
        offset = 0;
        if (s_text == null)
            return false;
        // Narrow [low, high) to a few lines: low is a line start whose address is at most the one asked
        // for (or the first line), high a line start whose address is above it (or the end).
        int low = 0, high = s_length;
        while (true)
        {
            int middle = LineStart(low + (high - low) / 2);
            if (middle <= low)
                break;
            if (AddressAt(middle) <= address)
                low = middle;
            else
                high = middle;
        }
        int best = -1;
        ulong bestAddress = 0;
        for (int line = low; line < high; line = NextLine(line))
        {
            if (!TryParse(line, out ulong lineAddress, out int nameStart))
                continue;
            if (lineAddress > address)
                break;
            best = nameStart;
            bestAddress = lineAddress;
        }
        if (best < 0)
            return false;
        name = NameAt(best);
        offset = address - bestAddress;
        return true;
    }

    private static int LineStart(int position)
    {
        while (position > 0 && s_text[position - 1] != '\n')
            position--;
        return position;
    }

    private static int NextLine(int position)
    {
        while (position < s_length && s_text[position] != '\n')
            position++;
        return position + 1;
    }

    /// <summary>A line's address; a line without one (nm lists undefined symbols first) counts as 0.</summary>
    private static ulong AddressAt(int line) => TryParse(line, out ulong address, out _) ? address : 0;

    /// <summary>"address kind name": the address, and where the name starts (after the kind letter).</summary>
    private static bool TryParse(int line, out ulong address, out int nameStart)
    {
        address = 0;
        int position = line;
        int digits = 0;
        for (; position < s_length && HexValue(s_text[position]) >= 0; position++, digits++)
            address = (address << 4) | (uint)HexValue(s_text[position]);
        nameStart = position + 3;
        return digits > 0 && nameStart < s_length && s_text[position] == ' ';
    }

    /// <summary>"Name+0x1f" for an address, or its hex value when no symbol covers it.</summary>
    public static string Describe(ulong address) =>
        TryFind(address, out string name, out ulong offset) ? (offset == 0 ? name : $"{name}+0x{offset:x}") : Hex.Format(address);

    /// <summary>The type name of an object, from its MethodTable symbol (_ZTV&lt;n&gt;name).</summary>
    public static string TypeNameOf(object value)
    {
        object copy = value;
        ulong methodTable = *(ulong*)System.Runtime.CompilerServices.Unsafe.As<object, IntPtr>(ref copy);
        if (!TryFind(methodTable, out string symbol, out ulong offset) || offset != 0 || !symbol.StartsWith("_ZTV", StringComparison.Ordinal))
            return $"<type with MethodTable {Hex.Format(methodTable)}>";
        int i = 4;
        while (i < symbol.Length && char.IsAsciiDigit(symbol[i]))
            i++;
        string name = symbol.Substring(i);
        return name.StartsWith("S_P_CoreLib_", StringComparison.Ordinal) ? name.Substring(12) : name;
    }

    private static string NameAt(int nameStart)
    {
        byte* start = s_text + nameStart;
        int length = 0;
        while (nameStart + length < s_length && start[length] != '\n' && start[length] != 0)
            length++;
        var chars = new char[length];
        for (int i = 0; i < length; i++)
            chars[i] = (char)start[i];
        return new string(chars);
    }

    private static int HexValue(byte c) =>
        c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}
