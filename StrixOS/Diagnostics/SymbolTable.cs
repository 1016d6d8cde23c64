using System;
using StrixOS.Boot;
using StrixOS.Symbols;

namespace StrixOS.Diagnostics;

/// <summary>
/// The kernel's own symbols, so reports can name C# methods and types. The build lists them (`nm -n`
/// of the linked ELF: "address kind name" lines, bin/&lt;Configuration&gt;/strix.sym) and packs them
/// (Boot/Stage/pack-symbols.awk: address deltas, names sharing their prefix with the one before) into
/// strix.packed.sym, which the boot image carries and the kernel expander hands over as the multiboot2
/// module named "strix.symbols" (Boot/Stage/Expander; Core/Symbols/PackedSymbols.cs
/// reads it). Names are ILC's symbol names: methods are Assembly_Namespace_Type__Method; a type's
/// MethodTable is _ZTV&lt;length&gt;&lt;name&gt;.
/// </summary>
public static unsafe class SymbolTable
{
    public const string ModuleName = "strix.symbols";

    // The module, read in place (it stays loaded: KernelHost does not reclaim modules). Nothing is
    // parsed at boot: a lookup binary-searches it, so boot pays nothing for a table that is read only
    // when something goes wrong.
    private static byte* s_data;
    private static int s_length;

    public static bool IsLoaded => s_data != null;

    public static void Load(BootInfo bootInfo)
    {
        foreach (BootModule module in bootInfo.Modules)
        {
            if (module.Name != ModuleName)
                continue;
            var start = (byte*)(bootInfo.PhysicalMemoryOffset + module.Start);
            int length = (int)(module.End - module.Start);
            if (PackedSymbols.HasTag(new ReadOnlySpan<byte>(start, length)))
            {
                s_data = start;
                s_length = length;
            }
            else
            {
                KernelLog.Warning($"boot module {ModuleName} has no STRIXSY1 tag line: reports name no methods");
            }
            return;
        }
    }

    /// <summary>The symbol at or below the address, and how far past its start the address is.</summary>
    public static bool TryFind(ulong address, out string name, out ulong offset)
    {
        name = "";
        offset = 0;
        return s_data != null && new PackedSymbols(new ReadOnlySpan<byte>(s_data, s_length)).TryFind(address, out name, out offset);
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
}
