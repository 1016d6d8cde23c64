using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using StrixOS.Drivers.Screen;
using StrixOS.Tests.Booting;
using Xunit;

namespace StrixOS.Tests.Screen;

/// <summary>The 32-bit boot stage draws its CPU-check message with a copy of the kernel's font
/// (StrixOS/Boot/Stage/boot_font.asm): every glyph row equals <see cref="Font5x7"/>'s.</summary>
public class BootStageFontTests
{
    [Fact]
    public void BootStageFontIsTheKernelFont()
    {
        string path = Path.Combine(KernelBoot.RepositoryRoot, "StrixOS/Boot/Stage/boot_font.asm");
        List<byte[]> glyphs = File.ReadLines(path)
            .Select(l => l.Split(';')[0].Trim())
            .Where(l => l.StartsWith("db ", StringComparison.Ordinal))
            .Select(l => l[3..].Split(',').Select(b => byte.Parse(b.Trim()[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray())
            .ToList();
        Assert.Equal(Font5x7.Last - Font5x7.First + 1, glyphs.Count);
        for (char c = Font5x7.First; c <= Font5x7.Last; c++)
        {
            byte[] rows = glyphs[c - Font5x7.First];
            Assert.Equal(Font5x7.GlyphHeight, rows.Length);
            for (int row = 0; row < Font5x7.GlyphHeight; row++)
                Assert.True(Font5x7.GlyphRow(c, row) == rows[row], $"'{c}' row {row}: boot stage 0x{rows[row]:X2}, kernel 0x{Font5x7.GlyphRow(c, row):X2}");
        }
    }
}
