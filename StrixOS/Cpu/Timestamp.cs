using System;
using StrixOS.Plugs;

namespace StrixOS.Cpu;

/// <summary>
/// Time from the TSC: measured against the HPET once the ACPI tables are read, when there is one
/// (<see cref="Recalibrate"/>); otherwise, or if the clock is read before that, against the PIT (channel
/// 2, 10 ms one-shot). If the PIT never answers, a nominal 1 GHz is assumed and <see cref="IsCalibrated"/>
/// says so.
/// </summary>
public static class Timestamp
{
    private const uint PitHz = 1_193_182;
    private static ulong s_ticksPerSecond;
    private static ulong s_start;
    private static ulong s_startNanoseconds;

    public static bool IsCalibrated { get; private set; }

    public static ulong TicksPerSecond
    {
        get
        {
            if (s_ticksPerSecond == 0)
                Calibrate();
            return s_ticksPerSecond;
        }
    }

    public static ulong Nanoseconds
    {
        get
        {
            ulong hz = TicksPerSecond;
            ulong ticks = Plugs.X64.ReadTimestampCounter() - s_start;
            return s_startNanoseconds + (ulong)((UInt128)ticks * 1_000_000_000UL / hz);
        }
    }

    /// <summary>
    /// Takes a better rate (e.g. measured against the HPET, whose counter is read at the same moment as the
    /// TSC, so a late look at the clock does not skew it, as a late look at the PIT's expiry flag does).
    /// The clock continues from its current value: it never jumps back.
    /// </summary>
    public static void Recalibrate(ulong ticksPerSecond)
    {
        ulong now = s_ticksPerSecond == 0 ? 0 : Nanoseconds;   // never measured against the PIT: start at 0
        s_start = Plugs.X64.ReadTimestampCounter();
        s_startNanoseconds = now;
        s_ticksPerSecond = ticksPerSecond;
        IsCalibrated = true;
    }

    private static void Calibrate()
    {
        const ushort control = 0x61;
        ushort count = (ushort)(PitHz / 100);
        byte gate = (byte)(Ports.In8(control) & 0xFC);
        Ports.Out8(control, gate);
        Ports.Out8(0x43, 0xB0);                       // channel 2, lobyte/hibyte, mode 0
        Ports.Out8(0x42, (byte)count);
        Ports.Out8(0x42, (byte)(count >> 8));
        Ports.Out8(control, (byte)(gate | 1));        // gate high: count down
        ulong begin = Plugs.X64.ReadTimestampCounter();
        bool expired = false;
        for (int spins = 0; spins < 50_000_000; spins++)
        {
            if ((Ports.In8(control) & 0x20) != 0)
            {
                expired = true;
                break;
            }
        }
        ulong end = Plugs.X64.ReadTimestampCounter();
        Ports.Out8(control, gate);
        IsCalibrated = expired && end > begin;
        s_ticksPerSecond = IsCalibrated ? (end - begin) * 100 : 1_000_000_000UL;
        s_start = begin;
    }
}
