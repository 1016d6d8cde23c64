using System;
using System.Text;

namespace StrixOS.Tests.Screen;

/// <summary>A binary PPM (P6, 8 bits per channel), what QEMU's screendump writes.</summary>
internal sealed class Ppm
{
    public int Width { get; private init; }
    public int Height { get; private init; }
    private byte[] _rgb = Array.Empty<byte>();

    public int Pixel(int x, int y)
    {
        int i = (y * Width + x) * 3;
        return (_rgb[i] << 16) | (_rgb[i + 1] << 8) | _rgb[i + 2];
    }

    public static Ppm Parse(byte[] file)
    {
        int position = 0;
        string Token()
        {
            while (char.IsWhiteSpace((char)file[position]))
                position++;
            int start = position;
            while (!char.IsWhiteSpace((char)file[position]))
                position++;
            return Encoding.ASCII.GetString(file, start, position - start);
        }
        if (Token() != "P6")
            throw new FormatException("not a binary PPM");
        int width = int.Parse(Token()), height = int.Parse(Token());
        if (Token() != "255")
            throw new FormatException("not 8 bits per channel");
        position++;   // the single whitespace after maxval
        var ppm = new Ppm { Width = width, Height = height };
        ppm._rgb = file.AsSpan(position, width * height * 3).ToArray();
        return ppm;
    }
}
