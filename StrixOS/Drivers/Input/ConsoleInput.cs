using StrixOS.Cpu;
using StrixOS.Plugs;

namespace StrixOS.Drivers.Input;

/// <summary>
/// The one console input queue: the PS/2 keyboard and the serial port's receive side both put key
/// presses here (from their interrupt handlers), readers take them out. A fixed ring, so interrupt
/// handlers never allocate; when it is full new keys are dropped and counted.
/// </summary>
public static class ConsoleInput
{
    private const int Capacity = 256;
    private static readonly KeyPress[] Ring = new KeyPress[Capacity];
    private static int s_head, s_tail;

    public static ulong Dropped { get; private set; }

    public static bool KeyAvailable => s_head != s_tail;

    /// <summary>Called with interrupts off (from a handler).</summary>
    public static void Push(KeyPress key)
    {
        int next = (s_tail + 1) % Capacity;
        if (next == s_head)
        {
            Dropped++;
            return;
        }
        Ring[s_tail] = key;
        s_tail = next;
    }

    public static bool TryRead(out KeyPress key)
    {
        ulong flags = InterruptFlag.SaveAndDisable();
        bool any = s_head != s_tail;
        key = any ? Ring[s_head] : default;
        if (any)
            s_head = (s_head + 1) % Capacity;
        InterruptFlag.Restore(flags);
        return any;
    }

    /// <summary>Waits for a key, halting the CPU between interrupts (no busy loop).</summary>
    public static KeyPress Read()
    {
        while (true)
        {
            ulong flags = InterruptFlag.SaveAndDisable();
            if (s_head != s_tail)
            {
                KeyPress key = Ring[s_head];
                s_head = (s_head + 1) % Capacity;
                InterruptFlag.Restore(flags);
                return key;
            }
            if (!Interrupts.IsInitialized)
            {
                InterruptFlag.Restore(flags);
                X64.Pause();
                continue;
            }
            InterruptFlag.EnableAndHalt();   // the check above and the hlt cannot miss a key in between
            InterruptFlag.Restore(flags);
        }
    }
}
