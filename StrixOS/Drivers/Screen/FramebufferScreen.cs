using System;
using StrixOS.Boot.Stage;

namespace StrixOS.Drivers.Screen;

/// <summary>
/// A linear RGB framebuffer (what GRUB sets up under UEFI), 24 or 32 bits per pixel, drawn with
/// <see cref="Font5x7"/> in 8x16 cells. Drawn through the offset map until the memory manager is up, then
/// through its own mapping (<see cref="FramebufferWindow"/>: writable, NX, write-combining). No cursor is drawn.
/// Scrolling moves four text rows at a time: each scroll copies the whole framebuffer.
/// </summary>
public sealed unsafe class FramebufferScreen : ITextScreen
{
    // The 16 VGA colours (ConsoleColor order) as 0xRRGGBB.
    private static ReadOnlySpan<uint> Palette => new uint[]
    {
        0x000000, 0x0000AA, 0x00AA00, 0x00AAAA, 0xAA0000, 0xAA00AA, 0xAA5500, 0xAAAAAA,
        0x555555, 0x5555FF, 0x55FF55, 0x55FFFF, 0xFF5555, 0xFF55FF, 0xFFFF55, 0xFFFFFF,
    };

    private byte* _pixels;
    private readonly int _pitch, _bytesPerPixel, _width, _height;
    private readonly byte _redShift, _greenShift, _blueShift;

    public FramebufferScreen(ulong physicalAddress, int pitch, int width, int height, int bitsPerPixel,
        byte redShift, byte greenShift, byte blueShift)
    {
        PhysicalAddress = physicalAddress;
        _pixels = (byte*)(BootLayout.PhysicalMemoryOffset + physicalAddress);
        _pitch = pitch;
        _width = width;
        _height = height;
        _bytesPerPixel = bitsPerPixel / 8;
        _redShift = redShift;
        _greenShift = greenShift;
        _blueShift = blueShift;
        Columns = width / Font5x7.CellWidth;
        Rows = height / Font5x7.CellHeight;
    }

    public ulong PhysicalAddress { get; }
    public ulong ByteLength => (ulong)_pitch * (ulong)_height;
    /// <summary>Where the pixels are drawn now (virtual).</summary>
    public ulong PixelsAddress => (ulong)_pixels;

    /// <summary>Draws through another mapping of the same pixels from now on.</summary>
    public void UseMapping(ulong virtualAddress) => _pixels = (byte*)virtualAddress;

    public int Columns { get; }
    public int Rows { get; }

    public void Put(int column, int row, char c, byte foreground, byte background)
    {
        uint fg = Pixel(foreground), bg = Pixel(background);
        for (int y = 0; y < Font5x7.CellHeight; y++)
        {
            byte* line = _pixels + (row * Font5x7.CellHeight + y) * _pitch + column * Font5x7.CellWidth * _bytesPerPixel;
            for (int x = 0; x < Font5x7.CellWidth; x++)
                Store(line + x * _bytesPerPixel, Font5x7.CellPixel(c, x, y) ? fg : bg);
        }
    }

    public int ScrollStep => 4;

    public void ScrollUp(byte background)
    {
        int lineBytes = _pitch * Font5x7.CellHeight;
        int step = Math.Min(ScrollStep, Rows);
        Buffer.MemoryCopy(_pixels + lineBytes * step, _pixels, (ulong)(lineBytes * Rows), (ulong)(lineBytes * (Rows - step)));
        FillRows((Rows - step) * Font5x7.CellHeight, step * Font5x7.CellHeight, Pixel(background));
    }

    public void Clear(byte background) => FillRows(0, _height, Pixel(background));

    public void SetCursor(int column, int row) { }

    private void FillRows(int firstY, int count, uint pixel)
    {
        for (int y = firstY; y < firstY + count && y < _height; y++)
        {
            byte* line = _pixels + y * _pitch;
            for (int x = 0; x < _width; x++)
                Store(line + x * _bytesPerPixel, pixel);
        }
    }

    private uint Pixel(byte colour)
    {
        uint rgb = Palette[colour & 0xF];
        return ((rgb >> 16) & 0xFF) << _redShift | ((rgb >> 8) & 0xFF) << _greenShift | (rgb & 0xFF) << _blueShift;
    }

    private void Store(byte* at, uint pixel)
    {
        if (_bytesPerPixel == 4)
        {
            *(uint*)at = pixel;
            return;
        }
        at[0] = (byte)pixel;
        at[1] = (byte)(pixel >> 8);
        at[2] = (byte)(pixel >> 16);
    }
}
