using System;
using StrixOS.Plugs;

namespace StrixOS.Drivers;

/// <summary>
/// A 16550 UART (COM1 at 0x3F8), 115200 baud, 8N1, polled. Line feeds go out as CR LF. Everything written
/// to COM1 is drawn on the screen too (<see cref="Screen.ScreenConsole"/>).
/// </summary>
public sealed unsafe class SerialPort
{
    private const ushort Com1Base = 0x3F8;
    private const int FifoBytes = 16;
    // Writers are not serialised (threads, interrupt handlers, fault reports): one interrupted between its room
    // check and its write can add a byte after another writer refilled the FIFO. Two bytes of the FIFO stay
    // free for that, so nesting two deep never overruns it.
    private const int FifoBurst = FifoBytes - 2;
    public static readonly SerialPort Com1 = new(Com1Base);

    private readonly ushort _base;
    // Bytes the transmitter takes without another status read: the FIFO's depth once the transmit-holding
    // register read empty (the FIFO is then empty; less a margin, FifoBurst), one byte per read before Initialize finds a FIFO.
    private int _transmitBurst = 1;
    private int _transmitRoom;

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
        // IIR bits 7-6 read 11 when the FIFO is on (a 16550A); an 8250/16450 has none and takes one byte at a time.
        _transmitBurst = (Ports.In8((ushort)(_base + 2)) & 0xC0) == 0xC0 ? FifoBurst : 1;
        _transmitRoom = 0;
    }

    /// <summary>One byte to the UART and the screen; the screen's cursor follows it.</summary>
    public void WriteByte(byte value)
    {
        Transmit(value);
        if (_base == Com1Base)
            Screen.ScreenConsole.Write(value);
    }

    // Every byte used to cost a status read as well as the write; with the FIFO one read serves 14 bytes
    // (under emulation each port access leaves the translated code).
    private void Transmit(byte value)
    {
        if (_transmitRoom <= 0)   // below zero only after such a race: read the status again
        {
            // Transmit-holding-register empty (with the FIFO: the whole FIFO). An absent UART reads 0xFF,
            // so this never spins forever.
            for (int spins = 0; spins < 100_000 && (Ports.In8((ushort)(_base + 5)) & 0x20) == 0; spins++)
                X64.Pause();
            _transmitRoom = _transmitBurst;
        }
        _transmitRoom--;
        Ports.Out8(_base, value);
    }

    /// <summary>A byte of a run: to the UART and drawn on the screen; the run ends with <see cref="EndRun"/>.</summary>
    private void WriteInRun(byte value)
    {
        Transmit(value);
        if (_base == Com1Base)
            Screen.ScreenConsole.Draw((char)value);
    }

    private void EndRun()
    {
        if (_base == Com1Base)
            Screen.ScreenConsole.ShowCursor();
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            if (b == (byte)'\n')
                WriteInRun((byte)'\r');
            WriteInRun(b);
        }
        EndRun();
    }

    public void Write(string text) => Write(text.AsSpan());

    /// <summary>ASCII text (anything else as '?'); allocates nothing, so panics and fault reports use it too.</summary>
    public void Write(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (c == '\n')
                WriteInRun((byte)'\r');
            WriteInRun(c < 0x80 ? (byte)c : (byte)'?');
        }
        EndRun();
    }

    public void WriteLine(string text)
    {
        Write(text);
        Write("\n"u8);
    }

    public void WriteCString(byte* text)
    {
        for (; *text != 0; text++)
            WriteInRun(*text);
        EndRun();
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
            WriteInRun(digits[--count]);
        EndRun();
    }
}
