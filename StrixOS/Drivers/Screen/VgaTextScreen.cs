using System;
using StrixOS.Boot.Stage;
using StrixOS.Plugs;

namespace StrixOS.Drivers.Screen;

/// <summary>VGA text mode (80x25 at physical 0xB8000 on a BIOS PC): a character byte and an attribute byte per cell.</summary>
public sealed unsafe class VgaTextScreen : ITextScreen
{
    private readonly ushort* _cells;

    public VgaTextScreen(ulong physicalAddress, int columns, int rows)
    {
        _cells = (ushort*)(BootLayout.PhysicalMemoryOffset + physicalAddress);
        Columns = columns;
        Rows = rows;
    }

    public int Columns { get; }
    public int Rows { get; }

    public void Put(int column, int row, char c, byte foreground, byte background)
    {
        byte code = c >= ' ' && c < 0x7F ? (byte)c : (byte)'?';
        _cells[row * Columns + column] = (ushort)(code | ((foreground & 0xF) | ((background & 0x7) << 4)) << 8);
    }

    public int ScrollStep => 1;

    public void ScrollUp(byte background)
    {
        Buffer.MemoryCopy(_cells + Columns, _cells, (ulong)(Columns * Rows * 2), (ulong)(Columns * (Rows - 1) * 2));
        ushort blank = (ushort)(' ' | ((background & 0x7) << 12));
        for (int i = 0; i < Columns; i++)
            _cells[(Rows - 1) * Columns + i] = blank;
    }

    public void Clear(byte background)
    {
        ushort blank = (ushort)(' ' | ((background & 0x7) << 12) | (7 << 8));
        for (int i = 0; i < Columns * Rows; i++)
            _cells[i] = blank;
    }

    /// <summary>The blinking hardware cursor (CRT controller registers 0x0E/0x0F).</summary>
    public void SetCursor(int column, int row)
    {
        int position = row * Columns + column;
        Ports.Out8(0x3D4, 0x0F);
        Ports.Out8(0x3D5, (byte)position);
        Ports.Out8(0x3D4, 0x0E);
        Ports.Out8(0x3D5, (byte)(position >> 8));
    }
}
