using StrixOS.Plugs;

namespace StrixOS.Cpu;

/// <summary>
/// The two 8259 PICs of a PC. With APICs they must stay silent: they are moved off the CPU exception
/// vectors (to 0x20-0x2F, where a stray spurious IRQ 7/15 is only counted) and every line is masked.
/// </summary>
public static class LegacyPic
{
    public const byte FirstVector = 0x20;
    public const byte LastVector = 0x2F;

    public static void RemapAndMask()
    {
        Ports.Out8(0x20, 0x11);  Wait();      // ICW1: initialise, ICW4 follows
        Ports.Out8(0xA0, 0x11);  Wait();
        Ports.Out8(0x21, FirstVector);  Wait();        // ICW2: vector base
        Ports.Out8(0xA1, FirstVector + 8);  Wait();
        Ports.Out8(0x21, 4);  Wait();                  // ICW3: slave on IRQ 2
        Ports.Out8(0xA1, 2);  Wait();
        Ports.Out8(0x21, 1);  Wait();                  // ICW4: 8086 mode
        Ports.Out8(0xA1, 1);  Wait();
        Ports.Out8(0x21, 0xFF);                        // mask everything
        Ports.Out8(0xA1, 0xFF);
    }

    /// <summary>An out to an unused port: the old PICs need a moment between initialisation words.</summary>
    private static void Wait() => Ports.Out8(0x80, 0);
}
