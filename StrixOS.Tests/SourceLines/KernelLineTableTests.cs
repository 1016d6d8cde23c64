using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using StrixOS.SourceLines;
using StrixOS.Tests.Booting;
using StrixOS.Tests.Unwinding;
using Xunit;

namespace StrixOS.Tests.SourceLines;

/// <summary>
/// The DWARF line-table decoder (Core/SourceLines) against the .debug_line of the real Debug
/// kernel (bin/Debug/strix.elf, built by ./strix build): every unit decodes, and file:line for a
/// spread of addresses in the kernel's own methods equals what binutils' addr2line answers.
/// </summary>
public sealed class KernelLineTableTests
{
    private static string ElfPath => Path.Combine(KernelBoot.RepositoryRoot, "StrixOS", "bin", "Debug", "strix.elf");

    private static byte[] DebugLine()
    {
        Assert.True(File.Exists(ElfPath), $"no {ElfPath}: build the kernel with ./strix build");
        byte[]? section = ElfSections.Read(File.ReadAllBytes(ElfPath), ".debug_line");
        Assert.True(section != null, "the Debug kernel has no .debug_line (ILC -g)");
        return section;
    }

    [Fact]
    public void EveryUnitOfTheKernelDecodesAndEverySequenceEnds()
    {
        byte[] section = DebugLine();
        LineRowReader rows = new LineTable(section).Rows();
        int count = 0, sequences = 0, units = 0;
        int lastUnit = -1;
        bool openSequence = false;
        while (rows.TryNext(out LineRow row))
        {
            count++;
            if (row.UnitOffset != lastUnit)
            {
                Assert.False(openSequence, $"unit at {lastUnit} ended inside a sequence");
                units++;
                lastUnit = row.UnitOffset;
            }
            openSequence = !row.EndSequence;
            if (row.EndSequence)
                sequences++;
        }
        Assert.Equal(LineTableError.None, rows.Error);
        Assert.False(openSequence);
        Assert.True(count > 10_000, $"only {count} rows");
        // ILC writes one sequence per compilation unit (not one per method): each unit closes its own.
        Assert.True(units >= 1);
        Assert.True(sequences >= units, $"{sequences} sequences for {units} units");
    }

    [Fact]
    public void FileAndLineMatchAddr2lineAcrossTheKernelsMethods()
    {
        byte[] section = DebugLine();
        using var image = new KernelElfImage(ElfPath);
        // Kernel C# methods (ILC names them Assembly_Namespace_Type__Method), a few offsets into each.
        ulong[] methods = image.Symbols.Where(s => s.Key.StartsWith("StrixOS_StrixOS_", StringComparison.Ordinal) && s.Key.Contains("__"))
            .Select(s => s.Value).Distinct().OrderBy(a => a).ToArray();
        Assert.True(methods.Length > 500, $"only {methods.Length} kernel methods in .symtab");
        var addresses = new List<ulong>();
        for (int i = 0; i < methods.Length; i += Math.Max(1, methods.Length / 150))
        {
            addresses.Add(methods[i]);
            addresses.Add(methods[i] + 0x11);
            addresses.Add(methods[i] + 0x40);
        }
        Dictionary<ulong, string> expected = Addr2Line(addresses);

        var table = new LineTable(section);
        int located = 0;
        foreach (ulong address in addresses)
        {
            string want = expected[address];
            bool found = table.TryLocate(address, out SourceLocation location, out LineTableError error);
            Assert.Equal(LineTableError.None, error);
            if (want.StartsWith("??", StringComparison.Ordinal) || want.EndsWith(":0", StringComparison.Ordinal) || want.EndsWith(":?", StringComparison.Ordinal))
            {
                Assert.False(found, $"0x{address:x}: addr2line says {want}, the decoder says {location}");
                continue;
            }
            Assert.True(found, $"0x{address:x}: addr2line says {want}, the decoder found nothing");
            Assert.Equal(want, $"{location.File}:{location.Line}");
            located++;
        }
        Assert.True(located > addresses.Count / 2, $"only {located} of {addresses.Count} addresses have a line");
    }

    [Fact]
    public void CodeWithoutLineInfoHasNoLineWhenBoundedByItsMethodStart()
    {
        byte[] section = DebugLine();
        using var image = new KernelElfImage(ElfPath);
        // ILC's start-up stub has no rows of its own: unbounded, it falls into the last row before it.
        ulong main = image.Symbols["__managed__Main"];
        var table = new LineTable(section);
        Assert.True(table.TryLocate(main + 0x10, out SourceLocation unbounded, out _), "expected the row before __managed__Main to run on");
        Assert.False(table.TryLocate(main + 0x10, out SourceLocation bounded, out LineTableError error, notBelow: main), $"{bounded}");
        Assert.Equal(LineTableError.None, error);
        Assert.DoesNotContain("StrixEntryPoint", unbounded.File);
        // A kernel method with rows keeps its line under the same bound.
        ulong boot = image.Symbols.Single(s => s.Key == "StrixOS_StrixOS_KernelHost__Boot").Value;
        Assert.True(table.TryLocate(boot + 0x20, out SourceLocation inBoot, out _, notBelow: boot));
        Assert.EndsWith("/StrixOS/KernelHost.cs", inBoot.File);
    }

    [Fact]
    public void TheBootModuleIsTheTagAndTheSection()
    {
        string path = Path.Combine(Path.GetDirectoryName(ElfPath)!, "strix.lines");
        Assert.True(File.Exists(path), $"no {path}");
        byte[] module = File.ReadAllBytes(path);
        Assert.Equal("STRIXLN1", Encoding.ASCII.GetString(module, 0, 8));
        Assert.Equal(DebugLine(), module[8..]);
    }

    [Fact]
    public void ACutOrDamagedSectionIsAnErrorValueNeverAnException()
    {
        byte[] section = DebugLine();
        var table = new LineTable(section.AsSpan(0, section.Length / 3));
        ulong anywhere = ulong.MaxValue - 1;
        Assert.False(table.TryFind(anywhere, out _, out LineTableError cut));
        Assert.Equal(LineTableError.Truncated, cut);

        var random = new Random(12);
        byte[] damaged = section[..Math.Min(section.Length, 40_000)];
        for (int round = 0; round < 300; round++)
        {
            byte[] copy = (byte[])damaged.Clone();
            for (int i = 0; i < 8; i++)
                copy[random.Next(copy.Length)] = (byte)random.Next(256);
            var damagedTable = new LineTable(copy);
            damagedTable.TryLocate(anywhere, out _, out _);       // must return, whatever it answers
        }
        Assert.Equal(LineTableError.UnsupportedVersion, Version(section, 5));
        Assert.Equal(LineTableError.None, Version(section, 4));
    }

    private static LineTableError Version(byte[] section, int version)
    {
        byte[] copy = (byte[])section.Clone();
        copy[4] = (byte)version;
        return LineUnitHeader.TryRead(copy, 0, out _);
    }

    private static Dictionary<ulong, string> Addr2Line(List<ulong> addresses)
    {
        var start = new ProcessStartInfo("addr2line", ["-e", ElfPath, "-a"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using Process process = Process.Start(start)!;
        foreach (ulong address in addresses)
            process.StandardInput.WriteLine($"0x{address:x}");
        process.StandardInput.Close();
        string[] lines = process.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        process.WaitForExit();
        var result = new Dictionary<ulong, string>();
        for (int i = 0; i + 1 < lines.Length; i += 2)
        {
            ulong address = Convert.ToUInt64(lines[i].Trim(), 16);
            string location = lines[i + 1].Trim();
            int discriminator = location.IndexOf(" (discriminator", StringComparison.Ordinal);
            result[address] = discriminator < 0 ? location : location[..discriminator];
        }
        return result;
    }
}

/// <summary>A named section's bytes from an ELF64 file (section headers and .shstrtab).</summary>
internal static class ElfSections
{
    public static byte[]? Read(byte[] file, string name)
    {
        ulong shoff = BitConverter.ToUInt64(file, 0x28);
        int shentsize = BitConverter.ToUInt16(file, 0x3A), shnum = BitConverter.ToUInt16(file, 0x3C), shstrndx = BitConverter.ToUInt16(file, 0x3E);
        ulong names = BitConverter.ToUInt64(file, (int)shoff + shstrndx * shentsize + 0x18);
        for (int i = 0; i < shnum; i++)
        {
            int sh = (int)shoff + i * shentsize;
            int nameStart = (int)names + (int)BitConverter.ToUInt32(file, sh);
            int nameEnd = Array.IndexOf(file, (byte)0, nameStart);
            if (Encoding.ASCII.GetString(file, nameStart, nameEnd - nameStart) != name)
                continue;
            ulong offset = BitConverter.ToUInt64(file, sh + 0x18), size = BitConverter.ToUInt64(file, sh + 0x20);
            return file[(int)offset..(int)(offset + size)];
        }
        return null;
    }
}
