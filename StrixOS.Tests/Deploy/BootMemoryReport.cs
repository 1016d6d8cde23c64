using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.RegularExpressions;

namespace StrixOS.Tests.Deploy;

/// <summary>One region line of the kernel's boot report: "0x...-0x... Type size".</summary>
public readonly record struct ReportedRegion(ulong Start, ulong End, string Type)
{
    public ulong Size => End - Start;
}

/// <summary>
/// What a kernel's serial transcript says about the machine it booted on: the banner, where the
/// memory map came from, the normalised regions and the totals the kernel printed
/// (StrixOS/Boot/Stage/BootReport.cs). Firmware and boot-loader output around it is ignored.
/// </summary>
public sealed partial record BootMemoryReport
{
    public const string EfiSource = "EFI memory map, tag 17";
    public const string Multiboot2Source = "multiboot2 memory map, tag 6";

    public required string Banner { get; init; }
    public required string Source { get; init; }
    public required int AnnouncedRegionCount { get; init; }
    public required IReadOnlyList<ReportedRegion> Regions { get; init; }
    public required ulong RamBytes { get; init; }
    public required ulong UsableBytes { get; init; }

    [GeneratedRegex(@"StrixOS \d+\.\d+\.\d+: a C# unikernel")]
    private static partial Regex BannerLine();

    [GeneratedRegex(@"memory map \((?<source>[^;]+); normalised, (?<count>\d+) regions\):")]
    private static partial Regex SourceLine();

    [GeneratedRegex(@"^0x(?<start>[0-9a-fA-F]{16})-0x(?<end>[0-9a-fA-F]{16}) (?<type>[A-Za-z]+)\s")]
    private static partial Regex RegionLine();

    [GeneratedRegex(@"memory: .* RAM in the map \((?<ram>\d+) bytes\), .* usable \((?<usable>\d+) bytes\)")]
    private static partial Regex TotalLine();

    /// <summary>The report of the first boot in <paramref name="transcript"/>, or why there is none.</summary>
    public static (BootMemoryReport? Report, string? Problem) Parse(string transcript)
    {
        string? banner = null, source = null;
        int count = -1;
        var regions = new List<ReportedRegion>();
        foreach (string raw in transcript.Split('\n'))
        {
            // Firmware and GRUB output leave carriage returns around the kernel's lines.
            string line = raw.Trim();
            if (banner is null)
            {
                Match bannerMatch = BannerLine().Match(line);
                if (bannerMatch.Success)
                    banner = line;
                continue;
            }
            if (source is null)
            {
                Match sourceMatch = SourceLine().Match(line);
                if (sourceMatch.Success)
                {
                    source = sourceMatch.Groups["source"].Value;
                    count = int.Parse(sourceMatch.Groups["count"].Value, CultureInfo.InvariantCulture);
                }
                continue;
            }
            Match region = RegionLine().Match(line);
            if (region.Success)
            {
                regions.Add(new ReportedRegion(
                    ulong.Parse(region.Groups["start"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                    ulong.Parse(region.Groups["end"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                    region.Groups["type"].Value));
                continue;
            }
            Match total = TotalLine().Match(line);
            if (total.Success)
            {
                return (new BootMemoryReport
                {
                    Banner = banner,
                    Source = source,
                    AnnouncedRegionCount = count,
                    Regions = regions,
                    RamBytes = ulong.Parse(total.Groups["ram"].Value, CultureInfo.InvariantCulture),
                    UsableBytes = ulong.Parse(total.Groups["usable"].Value, CultureInfo.InvariantCulture),
                }, null);
            }
        }
        if (banner is null)
            return (null, "no kernel banner (\"StrixOS x.y.z: a C# unikernel ...\") in the serial output");
        if (source is null)
            return (null, "the kernel printed its banner but no memory map header");
        return (null, $"the memory map ({regions.Count} regions) has no \"memory: ... RAM in the map (N bytes)\" total line");
    }

    /// <summary>QEMU's -m value in bytes ("128M", "4G"; a bare number is MiB, as QEMU reads it).</summary>
    public static ulong QemuMemoryBytes(string size)
    {
        char unit = char.ToUpperInvariant(size[^1]);
        string digits = char.IsDigit(unit) ? size : size[..^1];
        ulong value = ulong.Parse(digits, CultureInfo.InvariantCulture);
        return unit switch
        {
            'K' => value << 10,
            'G' => value << 30,
            'T' => value << 40,
            _ => value << 20,
        };
    }

    public static string Kib(ulong bytes) => (bytes / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " KiB";
}
