using System;
using StrixOS.Memory;

namespace StrixOS.Boot;

/// <summary>
/// The memory map lines the kernel prints at boot, e.g.
/// <c>0x0000000000100000-0x0000000007fe0000 Usable                126.9 MiB</c>. The Try forms write into a
/// caller's buffer and allocate nothing; the string forms allocate only the result.
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
        var writer = new CharWriter(destination);
        writer.Append("0x");
        writer.AppendHex16(region.Start);
        writer.Append("-0x");
        writer.AppendHex16(region.End);
        writer.Append(' ');
        string name = TypeName(region.Type);
        writer.Append(name);
        for (int i = name.Length; i < TypeNameWidth; i++)
            writer.Append(' ');
        writer.Append(' ');
        writer.AppendSize(region.Size);
        written = writer.Overflowed ? 0 : writer.Length;
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
        var writer = new CharWriter(destination);
        writer.AppendSize(bytes);
        written = writer.Overflowed ? 0 : writer.Length;
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

    /// <summary>Appends to a fixed buffer; once something does not fit it records the overflow and stops.</summary>
    private ref struct CharWriter
    {
        private readonly Span<char> _buffer;

        public CharWriter(Span<char> buffer)
        {
            _buffer = buffer;
            Length = 0;
            Overflowed = false;
        }

        public int Length { get; private set; }

        public bool Overflowed { get; private set; }

        public void Append(char c)
        {
            if (Length >= _buffer.Length)
            {
                Overflowed = true;
                return;
            }
            _buffer[Length++] = c;
        }

        public void Append(string text)
        {
            for (int i = 0; i < text.Length; i++)
                Append(text[i]);
        }

        public void AppendHex16(ulong value)
        {
            for (int shift = 60; shift >= 0; shift -= 4)
            {
                int digit = (int)((value >> shift) & 0xF);
                Append((char)(digit < 10 ? '0' + digit : 'a' + digit - 10));
            }
        }

        public void AppendDecimal(ulong value)
        {
            Span<char> digits = stackalloc char[20];
            int count = 0;
            do
            {
                digits[count++] = (char)('0' + (int)(value % 10));
                value /= 10;
            }
            while (value != 0);
            while (count > 0)
                Append(digits[--count]);
        }

        public void AppendSize(ulong bytes)
        {
            if (bytes < 1024)
            {
                AppendDecimal(bytes);
                Append(" B");
                return;
            }
            int unit = 1;
            while (unit < 6 && bytes >> (10 * (unit + 1)) != 0)
                unit++;
            int shift = 10 * unit;
            ulong whole = bytes >> shift;
            ulong remainder = bytes & ((1UL << shift) - 1);
            // remainder < 2^60, so remainder * 10 still fits in 64 bits.
            ulong tenths = (remainder * 10 + (1UL << (shift - 1))) >> shift;
            if (tenths == 10)
            {
                whole++;
                tenths = 0;
            }
            if (whole == 1024 && unit < 6)
            {
                whole = 1;
                unit++;
            }
            AppendDecimal(whole);
            Append('.');
            Append((char)('0' + (int)tenths));
            Append(' ');
            Append(unit switch { 1 => "KiB", 2 => "MiB", 3 => "GiB", 4 => "TiB", 5 => "PiB", _ => "EiB" });
        }
    }
}
