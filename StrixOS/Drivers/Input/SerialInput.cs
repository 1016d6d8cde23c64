using StrixOS.Diagnostics;
using StrixOS.Plugs;
using StrixOS.Text;

namespace StrixOS.Drivers.Input;

/// <summary>
/// COM1's receive side on ISA IRQ 4: each byte becomes a key press in the console queue. A terminal sends
/// CR for Enter and DEL (0x7F) or BS for Backspace; ANSI arrow sequences are not decoded (they arrive as
/// Escape and characters).
/// </summary>
public static class SerialInput
{
    private const ushort Base = 0x3F8;
    private const ushort InterruptEnable = Base + 1, ModemControl = Base + 4, LineStatus = Base + 5;

    public static ulong InterruptCount { get; private set; }

    public static void Initialize()
    {
        if (Ports.In8(LineStatus) == 0xFF)
            return;   // no UART
        byte vector = Cpu.Interrupts.RegisterIsaIrq(4, OnInterrupt);
        Ports.Out8(ModemControl, 0x0B);        // DTR, RTS, OUT2 (OUT2 gates the UART's interrupt line)
        Ports.Out8(InterruptEnable, 0x01);     // received data available
        OnInterrupt();                         // bytes that arrived before the interrupt was on
        var line = new LineBuilder(stackalloc char[LineBuilder.LineLength]);
        line.Append("serial: COM1 input on IRQ 4 (vector 0x");
        line.HexUpper(vector, 2);
        line.Append(')');
        KernelLog.Info(line.Written);
    }

    private static void OnInterrupt()
    {
        InterruptCount++;
        for (int i = 0; i < 64 && (Ports.In8(LineStatus) & 1) != 0; i++)
            ConsoleInput.Push(Translate(Ports.In8(Base)));
    }

    public static KeyPress Translate(byte b) => b switch
    {
        (byte)'\r' or (byte)'\n' => new KeyPress('\n', SpecialKey.Enter, false, false, false),
        0x7F or 0x08 => new KeyPress('\b', SpecialKey.Backspace, false, false, false),
        (byte)'\t' => new KeyPress('\t', SpecialKey.Tab, false, false, false),
        0x1B => new KeyPress('\x1B', SpecialKey.Escape, false, false, false),
        < 0x20 => new KeyPress((char)b, SpecialKey.None, false, true, false),
        _ => new KeyPress((char)b, SpecialKey.None, false, false, false),
    };
}
