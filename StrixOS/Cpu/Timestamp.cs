using System;
using StrixOS.Plugs;

namespace StrixOS.Cpu;

/// <summary>
/// Time from the TSC, measured when the clock is first read (a boot that never looks at the time pays
/// nothing): against the HPET when ACPI lists one (<see cref="MeasureAgainstHpet"/>), otherwise, or if
/// the clock is read before the ACPI tables are, against the PIT (channel 2, the shortest of five 2 ms one-shots). If the PIT
/// never answers, a nominal 1 GHz is assumed and <see cref="IsCalibrated"/> says so.
/// </summary>
public static class Timestamp
{
    private const uint PitHz = 1_193_182;
    private static ulong s_ticksPerSecond;
    private static ulong s_start;
    private static ulong s_hpetAddress;

    /// <summary>What the rate was measured against: "HPET", "PIT", or "nothing: no PIT" (nominal 1 GHz).</summary>
    public static string Source { get; private set; } = "not measured yet";

    /// <summary>The first read of the clock measures the TSC against the HPET at <paramref name="physicalAddress"/>
    /// (0: none), unless it was measured already.</summary>
    public static void MeasureAgainstHpet(ulong physicalAddress) => s_hpetAddress = physicalAddress;

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
            return (ulong)((UInt128)ticks * 1_000_000_000UL / hz);
        }
    }

    private static void Calibrate()
    {
        // The HPET first: with one, the PIT's measurement is never needed at all.
        ulong hpetHz = s_hpetAddress != 0 ? HpetCounter.MeasureTscHz(s_hpetAddress) : 0;
        if (hpetHz != 0)
        {
            s_start = Plugs.X64.ReadTimestampCounter();
            s_ticksPerSecond = hpetHz;
            IsCalibrated = true;
            Source = "HPET";
            return;
        }
        // Five 2 ms windows, the shortest kept: anything that stops the CPU between the PIT's expiry and the poll
        // that sees it (a host that deschedules QEMU, an SMI on a real machine) can only lengthen a window, and
        // one such delay in a single 10 ms window once made every later sleep 36% long.
        ulong shortest = ulong.MaxValue;
        ulong begin = 0;
        for (int window = 0; window < CalibrationWindows; window++)
        {
            ulong ticks = MeasurePitWindow(out ulong windowBegin);
            if (ticks == 0)
                break;
            if (window == 0)
                begin = windowBegin;
            if (ticks < shortest)
                shortest = ticks;
        }
        IsCalibrated = shortest != ulong.MaxValue;
        s_ticksPerSecond = IsCalibrated ? shortest * PitHz / PitWindowCounts : 1_000_000_000UL;
        s_start = IsCalibrated ? begin : Plugs.X64.ReadTimestampCounter();
        Source = IsCalibrated ? "PIT" : "nothing: no PIT";
    }

    private const int CalibrationWindows = 5;
    private const ushort PitWindowCounts = (ushort)(PitHz / 500);   // 2 ms

    /// <summary>TSC ticks over one PIT channel 2 one-shot of <see cref="PitWindowCounts"/>; 0 if the PIT never expires.</summary>
    private static ulong MeasurePitWindow(out ulong begin)
    {
        const ushort control = 0x61;
        byte gate = (byte)(Ports.In8(control) & 0xFC);
        Ports.Out8(control, gate);
        Ports.Out8(0x43, 0xB0);                       // channel 2, lobyte/hibyte, mode 0
        Ports.Out8(0x42, (byte)(PitWindowCounts & 0xFF));
        Ports.Out8(0x42, (byte)(PitWindowCounts >> 8));
        Ports.Out8(control, (byte)(gate | 1));        // gate high: count down
        begin = Plugs.X64.ReadTimestampCounter();
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
        return expired && end > begin ? end - begin : 0;
    }
}
