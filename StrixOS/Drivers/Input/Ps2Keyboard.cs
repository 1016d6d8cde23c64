using StrixOS.Cpu;
using StrixOS.Diagnostics;
using StrixOS.Plugs;
using StrixOS.Text;

namespace StrixOS.Drivers.Input;

/// <summary>
/// The PS/2 keyboard behind the 8042 controller, on ISA IRQ 1. The controller's configuration byte says
/// whether it translates the keyboard's scan code set 2 into set 1; StrixOS decodes set 1, so translation
/// is switched on when the firmware left it off. Key repeat is the keyboard's own typematic repeat.
/// </summary>
public static class Ps2Keyboard
{
    private const ushort Data = 0x60, Status = 0x64, Command = 0x64;
    private const byte OutputFull = 1, InputFull = 2;
    private const byte ReadConfig = 0x20, WriteConfig = 0x60, DisablePort1 = 0xAD, EnablePort1 = 0xAE, DisablePort2 = 0xA7;
    private const byte ConfigPort1Interrupt = 1, ConfigTranslation = 0x40;

    private static readonly ScanCodeSet1 Decoder = new();

    public static bool Present { get; private set; }
    public static bool FirmwareTranslated { get; private set; }
    public static ulong InterruptCount { get; private set; }

    public static void Initialize()
    {
        // An absent controller floats the status port to 0xFF.
        if (Ports.In8(Status) == 0xFF)
        {
            KernelLog.Info("keyboard: no 8042 controller");
            return;
        }
        SendCommand(DisablePort1);
        SendCommand(DisablePort2);
        Flush();
        SendCommand(ReadConfig);
        if (!TryReadData(out byte config))
        {
            KernelLog.Warning("keyboard: the 8042 did not answer; no keyboard");
            return;
        }
        FirmwareTranslated = (config & ConfigTranslation) != 0;
        SendCommand(WriteConfig);
        WriteData((byte)(config | ConfigPort1Interrupt | ConfigTranslation));
        SendCommand(EnablePort1);
        Flush();
        Present = true;
        byte vector = Cpu.Interrupts.RegisterIsaIrq(1, OnInterrupt);
        var line = new LineBuilder(stackalloc char[LineBuilder.LineLength]);
        line.Append("keyboard: PS/2 on IRQ 1 (vector 0x");
        line.HexUpper(vector, 2);
        line.Append("), scan code set 1 ");
        line.Append(FirmwareTranslated ? "(controller translates set 2)" : "(translation switched on)");
        KernelLog.Info(line.Written);
    }

    private static void OnInterrupt()
    {
        InterruptCount++;
        // Each interrupt brings one byte; read while the controller has more for port 1.
        for (int i = 0; i < 16 && (Ports.In8(Status) & (OutputFull | 0x20)) == OutputFull; i++)
        {
            if (Decoder.TryDecode(Ports.In8(Data), out KeyPress key))
                ConsoleInput.Push(key);
        }
    }

    private static void SendCommand(byte command)
    {
        WaitInputEmpty();
        Ports.Out8(Command, command);
    }

    private static void WriteData(byte value)
    {
        WaitInputEmpty();
        Ports.Out8(Data, value);
    }

    private static void WaitInputEmpty()
    {
        for (int i = 0; i < 100_000 && (Ports.In8(Status) & InputFull) != 0; i++)
            X64.Pause();
    }

    private static bool TryReadData(out byte value)
    {
        for (int i = 0; i < 100_000; i++)
        {
            if ((Ports.In8(Status) & OutputFull) != 0)
            {
                value = Ports.In8(Data);
                return true;
            }
            X64.Pause();
        }
        value = 0;
        return false;
    }

    private static void Flush()
    {
        for (int i = 0; i < 64 && (Ports.In8(Status) & OutputFull) != 0; i++)
            Ports.In8(Data);
    }
}
