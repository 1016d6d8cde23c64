using System;
using System.Collections.Generic;
using System.Text;
using StrixOS.Drivers.Screen;

namespace StrixOS.Tests.Screen;

/// <summary>
/// Reads what a screen shows, independently of the kernel's bookkeeping: VGA text from the cells the display
/// starts at (<see cref="QemuSession.ReadVgaText"/>), a framebuffer from a screenshot by matching each 8x16 cell
/// against StrixOS's font.
/// </summary>
internal static class ScreenText
{
    public static string[] FromVgaText(byte[] cells, int columns = 80, int rows = 25)
    {
        var lines = new string[rows];
        for (int r = 0; r < rows; r++)
        {
            var line = new StringBuilder(columns);
            for (int c = 0; c < columns; c++)
                line.Append((char)cells[(r * columns + c) * 2]);
            lines[r] = line.ToString().TrimEnd();
        }
        return lines;
    }

    /// <summary>Each cell's ink (pixels unlike the cell's top-left pixel, which is always background) as a 5x7
    /// pattern, looked up in the font; a cell that matches no glyph reads as U+FFFD.</summary>
    public static string[] FromFramebuffer(Ppm screen)
    {
        Dictionary<ulong, char> glyphs = GlyphPatterns();
        int columns = screen.Width / Font5x7.CellWidth, rows = screen.Height / Font5x7.CellHeight;
        var lines = new string[rows];
        for (int r = 0; r < rows; r++)
        {
            var line = new StringBuilder(columns);
            for (int c = 0; c < columns; c++)
            {
                int x0 = c * Font5x7.CellWidth, y0 = r * Font5x7.CellHeight;
                int background = screen.Pixel(x0, y0);
                ulong pattern = 0;
                bool stray = false;
                for (int y = 0; y < Font5x7.CellHeight; y++)
                for (int x = 0; x < Font5x7.CellWidth; x++)
                {
                    bool ink = screen.Pixel(x0 + x, y0 + y) != background;
                    bool glyphPixel = x >= 1 && x <= Font5x7.GlyphWidth && y >= 1 && y < 1 + 2 * Font5x7.GlyphHeight;
                    if (!glyphPixel)
                        stray |= ink;
                    else if (ink && (y - 1) % 2 == 0)
                        pattern |= 1UL << (((y - 1) / 2) * Font5x7.GlyphWidth + (x - 1));
                }
                line.Append(!stray && glyphs.TryGetValue(pattern, out char ch) ? ch : '\uFFFD');
            }
            lines[r] = line.ToString().TrimEnd();
        }
        return lines;
    }

    private static Dictionary<ulong, char> GlyphPatterns()
    {
        var patterns = new Dictionary<ulong, char>();
        for (char c = Font5x7.Last; c >= Font5x7.First; c--)
        {
            ulong pattern = 0;
            for (int y = 0; y < Font5x7.GlyphHeight; y++)
            for (int x = 0; x < Font5x7.GlyphWidth; x++)
                if (Font5x7.CellPixel(c, x + 1, 1 + 2 * y))
                    pattern |= 1UL << (y * Font5x7.GlyphWidth + x);
            patterns[pattern] = c;
        }
        return patterns;
    }
}
