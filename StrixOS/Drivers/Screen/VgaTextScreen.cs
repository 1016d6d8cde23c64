using System;
using StrixOS.Boot.Stage;
using StrixOS.Plugs;

namespace StrixOS.Drivers.Screen;

/// <summary>
/// VGA text mode (80x25 at physical 0xB8000 on a BIOS PC): a character byte and an attribute byte per cell.
/// A scroll moves the display's start (CRT controller registers 0x0C/0x0D) one row down the 32 KiB of text
/// memory and blanks the row that comes into view, so it neither reads nor copies screen memory (device memory
/// under emulation, uncached video memory on a PC). Only when the screen reaches the window's end are its rows
/// copied back to the top, once every 180 or so scrolls at 80x25.
/// </summary>
public sealed unsafe class VgaTextScreen : ITextScreen
{
    // In text mode the VGA shows 0xB8000-0xBFFFF; the start and cursor registers count cells from 0xB8000.
    private const ulong TextWindowStart = 0xB8000, TextWindowEnd = 0xC0000;
    private const ushort CrtIndex = 0x3D4, CrtData = 0x3D5;
    private const byte StartHigh = 0x0C, StartLow = 0x0D, CursorHigh = 0x0E, CursorLow = 0x0F;

    private readonly ushort* _memory;
    // Rows of text memory the display start can move over; Rows when the screen is not at 0xB8000 (a mode
    // GRUB reported elsewhere), where the registers' cell numbers would not match: then a scroll copies.
    private readonly int _memoryRows;
    // The row of text memory at the top of the screen.
    private int _top;

    public VgaTextScreen(ulong physicalAddress, int columns, int rows)
    {
        _memory = (ushort*)(BootLayout.PhysicalMemoryOffset + physicalAddress);
        Columns = columns;
        Rows = rows;
        int windowRows = physicalAddress == TextWindowStart ? (int)((TextWindowEnd - TextWindowStart) / 2) / columns : rows;
        _memoryRows = windowRows > rows ? windowRows : rows;
    }

    public int Columns { get; }
    public int Rows { get; }

    public void Put(int column, int row, char c, byte foreground, byte background)
    {
        byte code = c >= ' ' && c < 0x7F ? (byte)c : (byte)'?';
        _memory[(_top + row) * Columns + column] = (ushort)(code | ((foreground & 0xF) | ((background & 0x7) << 4)) << 8);
    }

    public int ScrollStep => 1;

    public void ScrollUp(byte background)
    {
        ushort blank = (ushort)(' ' | ((background & 0x7) << 12));
        if (_top + Rows < _memoryRows)
        {
            _top++;
        }
        else
        {
            // The window's end: the rows that stay visible go back to the top (the one read of screen memory).
            Buffer.MemoryCopy(_memory + (_top + 1) * Columns, _memory, (ulong)(_memoryRows * Columns * 2), (ulong)(Columns * (Rows - 1) * 2));
            _top = 0;
        }
        ushort* bottom = _memory + (_top + Rows - 1) * Columns;
        for (int i = 0; i < Columns; i++)
            bottom[i] = blank;
        if (_memoryRows > Rows)
            WriteCrt(StartHigh, StartLow, _top * Columns);
    }

    public void Clear(byte background)
    {
        ushort blank = (ushort)(' ' | ((background & 0x7) << 12) | (7 << 8));
        _top = 0;
        for (int i = 0; i < Columns * Rows; i++)
            _memory[i] = blank;
        if (_memoryRows > Rows)
            WriteCrt(StartHigh, StartLow, 0);
    }

    /// <summary>
    /// Whether a VGA answers at its CRT controller (colour text modes: I/O ports 0x3D4/0x3D5): its index register
    /// reads back what was written, where no device reads 0xFF. Without one (QEMU's <c>-vga none</c>) 0xB8000 is RAM
    /// or nothing, and drawing there would cost every line of the boot for a screen no one sees.
    /// </summary>
    public static bool AdapterAnswers()
    {
        Ports.Out8(CrtIndex, CursorLow);
        return Ports.In8(CrtIndex) == CursorLow;
    }

    /// <summary>The blinking hardware cursor: its register counts cells from the start of text memory, not of the display.</summary>
    public void SetCursor(int column, int row) => WriteCrt(CursorHigh, CursorLow, (_top + row) * Columns + column);

    private static void WriteCrt(byte highRegister, byte lowRegister, int value)
    {
        Ports.Out8(CrtIndex, lowRegister);
        Ports.Out8(CrtData, (byte)value);
        Ports.Out8(CrtIndex, highRegister);
        Ports.Out8(CrtData, (byte)(value >> 8));
    }
}
