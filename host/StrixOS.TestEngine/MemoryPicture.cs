using System;
using System.Collections.Generic;
using System.Linq;
using System.Globalization;
using System.Security;
using System.Text;

namespace StrixOS.Tests.Kit;

/// <summary>One normalised memory-map region as the kernel reported it.</summary>
public sealed record PictureRegion(ulong Start, ulong End, string Type)
{
    public ulong Size => End - Start;
}

/// <summary>
/// The kernel's memory picture (the <c>#memmap</c> block printed with <c>strix.memmap</c>, see
/// StrixOS/Diagnostics/MemoryPictureReport.cs) and its rendering as SVG for `./strix memmap`.
/// </summary>
public sealed class MemoryPicture
{
    public List<PictureRegion> Regions { get; } = new();
    public ulong[] TablesPerLevel { get; } = new ulong[5];
    public ulong Mapped4K { get; private set; }
    public ulong Mapped2M { get; private set; }
    public ulong Mapped1G { get; private set; }

    public ulong TotalBytes => Regions.Aggregate(0UL, (sum, r) => sum + r.Size);
    public ulong BytesOf(string type) => Regions.Where(r => r.Type == type).Aggregate(0UL, (sum, r) => sum + r.Size);
    public ulong PageTableCount => TablesPerLevel.Aggregate(0UL, (a, b) => a + b);

    /// <summary>Parses a serial log; an error message when the block is missing or malformed.</summary>
    public static MemoryPicture Parse(string serialLog, out string? error)
    {
        var picture = new MemoryPicture();
        error = null;
        bool begun = false, ended = false;
        foreach (string raw in serialLog.Split('\n'))
        {
            string line = raw.Trim();
            if (!line.StartsWith("#memmap ", StringComparison.Ordinal))
                continue;
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (f[1])
            {
                case "begin":
                    begun = true;
                    break;
                case "region" when f.Length == 5 && Hex(f[2], out ulong start) && Hex(f[3], out ulong end) && end > start:
                    picture.Regions.Add(new PictureRegion(start, end, f[4]));
                    break;
                case "tables" when f.Length == 6:
                    for (int level = 4; level >= 1; level--)
                        picture.TablesPerLevel[level] = ulong.Parse(f[6 - level], CultureInfo.InvariantCulture);
                    break;
                case "mapped" when f.Length == 5:
                    picture.Mapped4K = ulong.Parse(f[2], CultureInfo.InvariantCulture);
                    picture.Mapped2M = ulong.Parse(f[3], CultureInfo.InvariantCulture);
                    picture.Mapped1G = ulong.Parse(f[4], CultureInfo.InvariantCulture);
                    break;
                case "end":
                    ended = true;
                    break;
                default:
                    error = $"malformed memory picture line: {line}";
                    return picture;
            }
        }
        if (!begun || !ended)
            error = "no complete #memmap block in the serial log (was the kernel booted with strix.memmap?)";
        else if (picture.Regions.Count == 0)
            error = "the #memmap block has no regions";
        return picture;

        static bool Hex(string text, out ulong value) =>
            ulong.TryParse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value);
    }

    private static readonly Dictionary<string, string> Colours = new()
    {
        ["Usable"] = "#4caf50", ["Kernel"] = "#3f51b5", ["BootPageTables"] = "#9c27b0", ["BootInformation"] = "#ff9800",
        ["Module"] = "#ffc107", ["InUse"] = "#795548", ["Reserved"] = "#9e9e9e", ["AcpiReclaimable"] = "#00bcd4",
        ["AcpiNvs"] = "#607d8b", ["BadMemory"] = "#f44336", ["BootloaderReclaimable"] = "#8bc34a",
    };

    public static string ColourOf(string type) => Colours.TryGetValue(type, out string? c) ? c : "#000000";

    /// <summary>
    /// Physical memory as one bar per region in address order (width proportional to the square
    /// root of its size, so a 4 KiB region stays visible next to gigabytes), a legend with exact
    /// sizes, and the page-table summary. Every region rectangle carries data-start, data-end and
    /// data-bytes, so the picture can be checked against the map.
    /// </summary>
    public string ToSvg()
    {
        const int width = 960, barTop = 70, barHeight = 60, rowHeight = 18;
        double totalWeight = Regions.Sum(r => Math.Sqrt(r.Size));
        var types = Regions.Select(r => r.Type).Distinct().ToList();
        int legendTop = barTop + barHeight + 40;
        int listTop = legendTop + types.Count * rowHeight + 30;
        int height = listTop + Regions.Count * rowHeight + 120;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"monospace\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>\n");
        svg.Append("<text x=\"20\" y=\"30\" font-size=\"18\">StrixOS physical memory</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"20\" y=\"52\">{Regions.Count} regions, {Format(TotalBytes)} in the map, {Format(BytesOf("Usable"))} usable (bar widths grow with the square root of size)</text>\n");
        double x = 20;
        foreach (PictureRegion r in Regions)
        {
            double w = (width - 40) * Math.Sqrt(r.Size) / totalWeight;
            svg.Append(CultureInfo.InvariantCulture,
                $"<rect class=\"region\" data-start=\"{r.Start:x}\" data-end=\"{r.End:x}\" data-bytes=\"{r.Size}\" data-type=\"{Escape(r.Type)}\" x=\"{x:F2}\" y=\"{barTop}\" width=\"{w:F2}\" height=\"{barHeight}\" fill=\"{ColourOf(r.Type)}\" stroke=\"#ffffff\" stroke-width=\"0.5\"><title>{r.Start:x16}-{r.End:x16} {Escape(r.Type)} {Format(r.Size)}</title></rect>\n");
            x += w;
        }
        int y = legendTop;
        foreach (string type in types)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"20\" y=\"{y - 11}\" width=\"12\" height=\"12\" fill=\"{ColourOf(type)}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"40\" y=\"{y}\">{Escape(type)}</text><text x=\"230\" y=\"{y}\">{Format(BytesOf(type))}</text>\n");
            y += rowHeight;
        }
        y = listTop;
        foreach (PictureRegion r in Regions)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"20\" y=\"{y}\" fill=\"{ColourOf(r.Type)}\">0x{r.Start:x16}-0x{r.End:x16}</text><text x=\"330\" y=\"{y}\" fill=\"{ColourOf(r.Type)}\">{Escape(r.Type)}</text><text x=\"520\" y=\"{y}\">{Format(r.Size)}</text>\n");
            y += rowHeight;
        }
        y += 20;
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"20\" y=\"{y}\">page tables in use: {PageTableCount} ({Format(PageTableCount * 4096)}): L4 {TablesPerLevel[4]}, L3 {TablesPerLevel[3]}, L2 {TablesPerLevel[2]}, L1 {TablesPerLevel[1]}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"20\" y=\"{y + rowHeight}\">mapped: {Format(Mapped4K)} in 4 KiB pages, {Format(Mapped2M)} in 2 MiB pages, {Format(Mapped1G)} in 1 GiB pages</text>\n");
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    public static string Format(ulong bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes} B" : string.Create(CultureInfo.InvariantCulture, $"{value:F1} {units[unit]}");
    }

    private static string Escape(string text) => SecurityElement.Escape(text) ?? "";
}
