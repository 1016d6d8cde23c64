using System;
using StrixOS.Plugs;

namespace StrixOS.Drivers;

/// <summary>A 16550 UART (COM1 at 0x3F8), 115200 baud, 8N1, polled. Line feeds go out as CR LF.</summary>
public sealed unsafe class SerialPort
{
    private const ushort Com1Base = 0x3F8;
    public static readonly SerialPort Com1 = new(Com1Base);

    private readonly ushort _base;

    private SerialPort(ushort basePort) => _base = basePort;

    /// <summary>Writes the UART's scratch register: no output, but an emulator can timestamp it (QEMU's
    /// serial_write trace event), which is how the host times the kernel's sleeps against its own clock.</summary>
    public void WriteScratch(byte value) => Ports.Out8((ushort)(_base + 7), value);

    public void Initialize()
    {
        Ports.Out8((ushort)(_base + 1), 0x00);  // no interrupts
        Ports.Out8((ushort)(_base + 3), 0x80);  // DLAB: divisor follows
        Ports.Out8((ushort)(_base + 0), 0x01);  // 115200 / 1
        Ports.Out8((ushort)(_base + 1), 0x00);
        Ports.Out8((ushort)(_base + 3), 0x03);  // 8 bits, no parity, one stop bit
        Ports.Out8((ushort)(_base + 2), 0xC7);  // FIFO on, cleared, 14-byte threshold
        Ports.Out8((ushort)(_base + 4), 0x03);  // DTR, RTS
    }

    public void WriteByte(byte value)
    {
        // Transmit-holding-register empty. An absent UART reads 0xFF, so this never spins forever.
        for (int spins = 0; spins < 100_000 && (Ports.In8((ushort)(_base + 5)) & 0x20) == 0; spins++)
            X64.Pause();
        Ports.Out8(_base, value);
        if (_base == Com1Base)
            Screen.ScreenConsole.Write(value);   // every COM1 line is on the screen too
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            if (b == (byte)'\n')
                WriteByte((byte)'\r');
            WriteByte(b);
        }
    }

    public void Write(string text) => Write(text.AsSpan());

    /// <summary>ASCII text (anything else as '?'); allocates nothing, so panics and fault reports use it too.</summary>
    public void Write(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (c == '\n')
                WriteByte((byte)'\r');
            WriteByte(c < 0x80 ? (byte)c : (byte)'?');
        }
    }

    public void WriteLine(string text)
    {
        Write(text);
        Write("\n"u8);
    }

    public void WriteCString(byte* text)
    {
        for (; *text != 0; text++)
            WriteByte(*text);
    }

    /// <summary>Decimal without allocating (for reports made when the heap is gone).</summary>
    public void WriteDecimal(ulong value)
    {
        byte* digits = stackalloc byte[20];
        int count = 0;
        do
        {
            digits[count++] = (byte)('0' + value % 10);
            value /= 10;
        } while (value != 0);
        while (count > 0)
            WriteByte(digits[--count]);
    }
}
