using System;
using StrixOS.Memory;
using StrixOS.Text;

namespace StrixOS.Boot;

/// <summary>
/// The memory map lines the kernel prints at boot, e.g.
/// <c>0x0000000000100000-0x0000000007fe0000 Usable                126.9 MiB</c>. The Try forms write into a
/// caller's buffer and allocate nothing; the string forms allocate only the result. Made with
/// <see cref="LineBuilder"/>, the formatter of every boot line.
/// </summary>
public static class MemoryMapFormatter
{
    /// <summary>Type names are padded to the longest one so the size column lines up.</summary>
    public const int TypeNameWidth = 21;
    /// <summary>Enough for any region line (70 characters at most).</summary>
    public const int MaxLineLength = 80;

    /// <summary>The type's name, spelled as in <see cref="MemoryRegionType"/> (no reflection needed).</summary>
    public static string TypeName(MemoryRegionType type) => type switch
    {
        MemoryRegionType.Usable => "Usable",
        MemoryRegionType.InUse => "InUse",
        MemoryRegionType.Reserved => "Reserved",
        MemoryRegionType.AcpiReclaimable => "AcpiReclaimable",
        MemoryRegionType.AcpiNvs => "AcpiNvs",
        MemoryRegionType.BadMemory => "BadMemory",
        MemoryRegionType.BootloaderReclaimable => "BootloaderReclaimable",
        MemoryRegionType.Kernel => "Kernel",
        MemoryRegionType.BootPageTables => "BootPageTables",
        MemoryRegionType.BootInformation => "BootInformation",
        MemoryRegionType.Module => "Module",
        _ => "Unknown",
    };

    /// <summary>Writes "0x{start:x16}-0x{end:x16} {type, padded} {size}"; false if the buffer is too small.</summary>
    public static bool TryFormatRegion(in MemoryRegion region, Span<char> destination, out int written)
    {
        var writer = new LineBuilder(destination, growable: false);
        writer.Hex16(region.Start);
        writer.Append('-');
        writer.Hex16(region.End);
        writer.Append(' ');
        string name = TypeName(region.Type);
        writer.Append(name);
        for (int i = name.Length; i < TypeNameWidth; i++)
            writer.Append(' ');
        writer.Append(' ');
        writer.Size(region.Size);
        written = writer.Overflowed ? 0 : writer.Written.Length;
        return !writer.Overflowed;
    }

    public static string FormatRegion(in MemoryRegion region)
    {
        Span<char> buffer = stackalloc char[MaxLineLength];
        return TryFormatRegion(region, buffer, out int written) ? new string(buffer.Slice(0, written)) : "";
    }

    /// <summary>Binary units with one decimal, rounded to nearest: "512 B", "4.0 KiB", "126.9 MiB".</summary>
    public static bool TryFormatSize(ulong bytes, Span<char> destination, out int written)
    {
        var writer = new LineBuilder(destination, growable: false);
        writer.Size(bytes);
        written = writer.Overflowed ? 0 : writer.Written.Length;
        return !writer.Overflowed;
    }

    public static string FormatSize(ulong bytes)
    {
        Span<char> buffer = stackalloc char[16];
        return TryFormatSize(bytes, buffer, out int written) ? new string(buffer.Slice(0, written)) : "";
    }

    /// <summary>"Total usable: 126.9 MiB (133038080 bytes, 32480 frames)".</summary>
    public static string FormatTotalUsable(MemoryMap map) =>
        $"Total usable: {FormatSize(map.TotalUsableBytes)} ({map.TotalUsableBytes} bytes, {map.TotalUsableBytes / MemoryMapNormalizer.PageSize} frames)";
}
