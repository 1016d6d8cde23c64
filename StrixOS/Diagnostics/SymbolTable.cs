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

    private static byte* s_text;
    private static ulong[]? s_addresses;
    private static int[]? s_nameStarts;

    public static bool IsLoaded => s_addresses != null;
    public static int Count => s_addresses?.Length ?? 0;

    public static void Load(BootInfo bootInfo)
    {
        foreach (BootModule module in bootInfo.Modules)
        {
            if (module.Name == ModuleName)
            {
                Load((byte*)(bootInfo.PhysicalMemoryOffset + module.Start), (int)(module.End - module.Start));
                return;
            }
        }
    }

    private static void Load(byte* text, int length)
    {
        int lines = 0;
        for (int i = 0; i < length; i++)
            if (text[i] == '\n')
                lines++;
        var addresses = new ulong[lines];
        var nameStarts = new int[lines];
        int count = 0, position = 0;
        while (position < length && count < lines)
        {
            ulong address = 0;
            int digits = 0;
            for (; position < length && HexValue(text[position]) >= 0; position++, digits++)
                address = (address << 4) | (uint)HexValue(text[position]);
            // " K name": skip the kind letter.
            int nameStart = position + 3;
            while (position < length && text[position] != '\n')
                position++;
            if (digits > 0 && nameStart < position)
            {
                addresses[count] = address;
                nameStarts[count] = nameStart;
                count++;
            }
            position++;
        }
        s_text = text;
        s_addresses = addresses[..count];
        s_nameStarts = nameStarts[..count];
    }

    /// <summary>The symbol at or below the address, and how far past its start the address is.</summary>
    public static bool TryFind(ulong address, out string name, out ulong offset)
    {
        name = "";
        offset = 0;
        ulong[]? addresses = s_addresses;
        if (addresses == null || addresses.Length == 0 || address < addresses[0])
            return false;
        int low = 0, high = addresses.Length - 1;
        while (low < high)
        {
            int middle = (low + high + 1) / 2;
            if (addresses[middle] <= address)
                low = middle;
            else
                high = middle - 1;
        }
        name = NameAt(low);
        offset = address - addresses[low];
        return true;
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

    private static string NameAt(int index)
    {
        byte* start = s_text + s_nameStarts![index];
        int length = 0;
        while (start[length] != '\n' && start[length] != 0)
            length++;
        var chars = new char[length];
        for (int i = 0; i < length; i++)
            chars[i] = (char)start[i];
        return new string(chars);
    }

    private static int HexValue(byte c) =>
        c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}
