using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using StrixOS.Symbols;
using StrixOS.Tests.Booting;
using Xunit;

namespace StrixOS.Tests.Symbols;

/// <summary>
/// The packed symbol table the boot image carries (Boot/Stage/pack-symbols.awk writes it, Core/Symbols/PackedSymbols
/// reads it; KernelExpanderTests checks that the image carries these bytes): every symbol of the real Debug kernel
/// (bin/Debug/strix.packed.sym, built by ./strix build)
/// resolves to the name and offset that nm's list (bin/Debug/strix.sym) gives, and hand-packed tables
/// show the edges (restarts, shared prefixes, damaged data).
/// </summary>
public sealed class PackedSymbolsTests
{
    private static string Debug(string relative) => Path.Combine(KernelBoot.RepositoryRoot, "StrixOS", "bin", "Debug", relative);

    private static string PackScript => Path.Combine(KernelBoot.RepositoryRoot, "StrixOS", "Boot", "Stage", "pack-symbols.awk");

    private static List<(ulong Address, string Name)> NmLines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .Select(parts => (Convert.ToUInt64(parts[0], 16), parts[2]))
            .ToList();

    /// <summary>What nm's list says for an address: the last symbol at or below it.</summary>
    private static bool Expected(List<(ulong Address, string Name)> symbols, ulong address, out string name, out ulong offset)
    {
        name = "";
        offset = 0;
        int index = -1;
        for (int low = 0, high = symbols.Count - 1; low <= high;)
        {
            int middle = (low + high) / 2;
            if (symbols[middle].Address <= address) { index = middle; low = middle + 1; }
            else high = middle - 1;
        }
        if (index < 0)
            return false;
        name = symbols[index].Name;
        offset = address - symbols[index].Address;
        return true;
    }

    private static byte[] Pack(string nmText)
    {
        var start = new ProcessStartInfo("awk", new[] { "-f", PackScript }) { RedirectStandardInput = true, RedirectStandardOutput = true };
        using Process awk = Process.Start(start)!;
        awk.StandardInput.Write(nmText);
        awk.StandardInput.Close();
        string packed = awk.StandardOutput.ReadToEnd();
        awk.WaitForExit();
        Assert.Equal(0, awk.ExitCode);
        return Encoding.ASCII.GetBytes(packed);
    }

    [Fact]
    public void EverySymbolOfTheDebugKernelResolvesAsNmListsIt()
    {
        Assert.True(File.Exists(Debug("strix.packed.sym")), $"no {Debug("strix.packed.sym")}: build the kernel with ./strix build");
        var symbols = NmLines(File.ReadAllText(Debug("strix.sym")));
        byte[] packed = File.ReadAllBytes(Debug("strix.packed.sym"));
        Assert.True(symbols.Count > 1000, $"only {symbols.Count} symbols");
        Assert.True(packed.Length < File.ReadAllBytes(Debug("strix.sym")).Length * 6 / 10,
            $"packed {packed.Length} bytes, nm's list {new FileInfo(Debug("strix.sym")).Length}");

        var table = new PackedSymbols(packed);
        int checkedAddresses = 0;
        foreach (ulong start in symbols.Select(s => s.Address).Distinct())
        {
            foreach (ulong address in new[] { start, start + 1, start - 1 })
            {
                bool expected = Expected(symbols, address, out string expectedName, out ulong expectedOffset);
                Assert.Equal(expected, table.TryFind(address, out string name, out ulong offset));
                Assert.Equal(expectedName, name);
                Assert.Equal(expectedOffset, offset);
                checkedAddresses++;
            }
        }
        Assert.True(checkedAddresses > 3000);
        Assert.False(table.TryFind(symbols[0].Address - 1, out _, out _));
    }

    [Fact]
    public void SharedPrefixesRestartsAndTheUpperHalfChangeDecode()
    {
        // 40 entries: restarts every 16, names that share prefixes, a name that is a prefix of the one before,
        // two symbols at one address, and a jump from the low boot code to the higher half.
        var lines = new List<string>();
        for (int i = 0; i < 20; i++)
            lines.Add($"{0x100000 + i * 0x10:x16} T Boot_Type__Method{i}");
        lines.Add($"{0x100000 + 20 * 0x10:x16} T Boot_Type__Method");
        lines.Add($"{0x100000 + 20 * 0x10:x16} t Boot_Type__Method_alias");
        for (int i = 0; i < 18; i++)
            lines.Add($"ffffffff8015{0xc000 + i * 0x40:x4} T S_P_CoreLib_System_String__Concat_{i}");
        string nm = string.Join('\n', lines) + '\n';
        var symbols = NmLines(nm);
        var table = new PackedSymbols(Pack(nm));
        Assert.False(table.IsEmpty);
        foreach ((ulong address, _) in symbols)
        {
            foreach (ulong probe in new[] { address, address + 7 })
            {
                Assert.True(Expected(symbols, probe, out string expectedName, out ulong expectedOffset));
                Assert.True(table.TryFind(probe, out string name, out ulong offset), $"no symbol for {probe:x}");
                Assert.Equal(expectedName, name);
                Assert.Equal(expectedOffset, offset);
            }
        }
        Assert.True(table.TryFind(0xffffffff90000000, out string last, out ulong beyond));
        Assert.Equal("S_P_CoreLib_System_String__Concat_17", last);
        Assert.Equal(0xffffffff90000000 - symbols[^1].Address, beyond);
        Assert.False(table.TryFind(0xfffff, out _, out _));
    }

    [Fact]
    public void DamagedOrUntaggedDataFindsNothingAndStaysInBounds()
    {
        string nm = string.Join('\n', Enumerable.Range(0, 40).Select(i => $"{0x200000 + i * 0x20:x16} T Name_{i}")) + '\n';
        byte[] packed = Pack(nm);
        Assert.True(new PackedSymbols(packed).TryFind(0x200000 + 39 * 0x20, out string good, out _));
        Assert.Equal("Name_39", good);

        Assert.True(new PackedSymbols(Encoding.ASCII.GetBytes(nm)).IsEmpty);
        Assert.False(new PackedSymbols(Encoding.ASCII.GetBytes(nm)).TryFind(0x200000, out _, out _));
        Assert.False(PackedSymbols.HasTag("STRIXSY1"u8));
        // Every truncation, and a shared count larger than the name before it, fails or answers a name from
        // the data; none reads outside the span (the span would throw).
        for (int length = 0; length <= packed.Length; length++)
            new PackedSymbols(packed.AsSpan(0, length)).TryFind(0x200000 + 39 * 0x20, out _, out _);
        byte[] damaged = Encoding.ASCII.GetBytes("STRIXSY1\n@0000000000200000 Ab\n20 7f x\n");
        Assert.False(new PackedSymbols(damaged).TryFind(0x200020, out _, out _));
        Assert.True(new PackedSymbols(damaged).TryFind(0x200010, out string first, out ulong offset));
        Assert.Equal("Ab", first);
        Assert.Equal(0x10UL, offset);
    }
}
