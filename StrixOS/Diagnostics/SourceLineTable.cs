using System;
using StrixOS.Boot;
using StrixOS.SourceLines;

namespace StrixOS.Diagnostics;

/// <summary>
/// File and line of kernel code addresses, for stack traces in reports. The build copies the
/// linked image's .debug_line section (DWARF from ILC's -g: Debug builds) into strix.lines, after an
/// 8-byte tag; the boot image carries it and the kernel expander hands it over as the multiboot2 module
/// "strix.lines" (Boot/Stage/Expander); it is decoded here when a report asks
/// (Core/SourceLines). A build without DWARF ships the tag alone, and frames then carry no file:line.
/// </summary>
public static unsafe class SourceLineTable
{
    public const string ModuleName = "strix.lines";

    /// <summary>The module's first 8 bytes ("STRIXLN" and format 1), before the raw section.</summary>
    public static ReadOnlySpan<byte> Tag => "STRIXLN1"u8;

    private static byte* s_section;
    private static int s_length;

    public static bool IsLoaded => s_length > 0;

    public static void Load(BootInfo bootInfo)
    {
        foreach (BootModule module in bootInfo.Modules)
        {
            if (module.Name != ModuleName)
                continue;
            var start = (byte*)(bootInfo.PhysicalMemoryOffset + module.Start);
            int length = (int)(module.End - module.Start);
            if (length >= Tag.Length && new ReadOnlySpan<byte>(start, Tag.Length).SequenceEqual(Tag))
            {
                s_section = start + Tag.Length;
                s_length = length - Tag.Length;
            }
            else
            {
                KernelLog.Warning($"boot module {ModuleName} has no STRIXLN1 tag: stack traces carry no file:line");
            }
            return;
        }
    }

    public static LineTable Table => new(new ReadOnlySpan<byte>(s_section, s_length));

    /// <summary>
    /// The source location of a code address, if the line table covers it with a row of its own
    /// method: a row at or above <paramref name="methodStart"/> (the start of the code's FDE).
    /// </summary>
    public static bool TryLocate(ulong address, ulong methodStart, out SourceLocation location)
    {
        location = default;
        return IsLoaded && Table.TryLocate(address, out location, out _, methodStart);
    }

    /// <summary>" in FILE:line N" for an address the line table covers, else "" (as .NET appends it to a frame).</summary>
    public static string Suffix(ulong address, ulong methodStart) =>
        TryLocate(address, methodStart, out SourceLocation location) ? $" in {location.File}:line {location.Line}" : "";
}
