using System;
using StrixOS.Plugs;

namespace StrixOS.Cpu;

/// <summary>
/// Time from the TSC. Its rate is measured without waiting where possible: <see cref="StartMeasuring"/> starts the
/// PIT's channel 2 counting down (55 ms) at the start of the boot, and the clock's first read compares how far it
/// got with the TSC over the same span (<see cref="TryMeasureStartUpWindow"/>), checked against the part of the span after
/// a second reading (<see cref="NoteStartUpProgress"/>) or, without one, 0.5 ms more. When that window cannot serve (the
/// first read came after the PIT expired, or there is no PIT), the first read measures: against the HPET when ACPI
/// lists one (<see cref="MeasureAgainstHpet"/>), otherwise against the PIT (the shortest of five 2 ms one-shots).
/// If the PIT never answers, a nominal 1 GHz is assumed and <see cref="IsCalibrated"/> says so.
/// </summary>
public static class Timestamp
{
    private const uint PitHz = 1_193_182;
    private static ulong s_ticksPerSecond;
    private static ulong s_start;
    private static ulong s_hpetAddress;

    /// <summary>What the rate was measured against: "PIT over the start-up", "HPET", "PIT", or "nothing: no PIT"
    /// (nominal 1 GHz).</summary>
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
        if (TryMeasureStartUpWindow())
            return;
        // The HPET next: with one, the PIT's measurement is never needed at all.
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

    // The start-up window: the PIT's count and the TSC read together at both ends. Each end's TSC lies between two
    // reads around the counter latch (in QEMU 1-10 us apart: the latch is an emulated port write); the rate is taken
    // once the two brackets' half-widths plus one PIT count at each end add up to at most 1/1000 of the span (0.1%),
    // which the usual first read, 20-30 ms into the boot, already meets.
    private const ulong StartUpErrorDivisor = 1000;
    private const int StartReads = 3;                                // the start: the narrowest of three brackets
    private const ushort StartUpCounts = 0xFFFF;                     // 54.9 ms: the longest one-shot the PIT has
    private static bool s_startUpWindowOpen;
    private static ulong s_startUpTsc;
    private static ulong s_startUpBracket;
    private static ushort s_startUpCount;

    /// <summary>
    /// Starts the PIT's channel 2 counting down from its longest one-shot, and reads where it starts, so that the
    /// clock's first read can measure the TSC over the time in between (the boot does its work meanwhile instead of
    /// waiting). Called once, first thing at boot, with interrupts off; channel 2 is nobody else's.
    /// </summary>
    public static void StartMeasuring()
    {
        if (s_ticksPerSecond != 0)
            return;
        byte gate = (byte)(Ports.In8(PitGatePort) & 0xFC);           // gate low, speaker off
        Ports.Out8(PitGatePort, gate);
        Ports.Out8(PitCommandPort, 0xB0);                            // channel 2, lobyte/hibyte, mode 0
        Ports.Out8(PitChannel2Port, (byte)(StartUpCounts & 0xFF));
        Ports.Out8(PitChannel2Port, (byte)(StartUpCounts >> 8));
        Ports.Out8(PitGatePort, (byte)(gate | 1));                   // gate high: count down
        s_startUpBracket = ulong.MaxValue;
        for (int read = 0; read < StartReads; read++)
        {
            ushort count = ReadPitCount(out ulong tsc, out ulong bracket);
            if (bracket >= s_startUpBracket)
                continue;
            s_startUpCount = count;
            s_startUpTsc = tsc;
            s_startUpBracket = bracket;
        }
        s_startUpWindowOpen = true;
    }

    /// <summary>
    /// The rate from the window <see cref="StartMeasuring"/> opened: polls the PIT until the span is long enough for
    /// 0.1% (at once when the first read comes late enough in the boot). False, and nothing set, when the window was never
    /// opened, the PIT expired first (the count may have wrapped), or its count does not move as a PIT's does.
    /// </summary>
    private static bool TryMeasureStartUpWindow()
    {
        if (!s_startUpWindowOpen)
            return false;
        s_startUpWindowOpen = false;
        bool measured = false;
        for (int polls = 0; polls < 1_000_000; polls++)
        {
            ushort count = ReadPitCount(out ulong tsc, out ulong bracket);
            // OUT goes high at the end of the count and stays high: read after the latch, low means no wrap before it.
            if ((Ports.In8(PitGatePort) & 0x20) != 0 || count > s_startUpCount || tsc <= s_startUpTsc)
                break;
            ulong counts = (ulong)(s_startUpCount - count);
            ulong ticks = tsc - s_startUpTsc;
            if (counts < 2)
                continue;
            ulong ticksPerCount = ticks / counts;
            ulong uncertainty = (s_startUpBracket + bracket) / 2 + 2 * ticksPerCount;
            if (uncertainty * StartUpErrorDivisor > ticks)
                continue;
            ulong hz = (ulong)((UInt128)ticks * PitHz / counts);
            if (!AgreesWithLaterPart(hz, count, tsc) && !AgreesWithShortWindow(hz))
                break;
            s_ticksPerSecond = hz;
            s_start = s_startUpTsc;
            IsCalibrated = true;
            Source = "PIT over the start-up";
            measured = true;
            break;
        }
        Ports.Out8(PitGatePort, (byte)(Ports.In8(PitGatePort) & 0xFC));
        return measured;
    }

    // A point inside the start-up window (NoteStartUpProgress), for the check without a wait.
    private static bool s_progressNoted;
    private static ulong s_progressTsc;
    private static ushort s_progressCount;

    /// <summary>
    /// Reads the start-up window's count once more, some way into the boot, so that the check on the window's rate
    /// can use the span from here to the clock's first read instead of waiting 0.5 ms more
    /// (<see cref="AgreesWithLaterPart"/>). Costs one PIT read; does nothing once the window closed.
    /// </summary>
    public static void NoteStartUpProgress()
    {
        if (!s_startUpWindowOpen || s_progressNoted)
            return;
        ushort count = ReadPitCount(out ulong tsc, out _);
        if ((Ports.In8(PitGatePort) & 0x20) != 0 || count > s_startUpCount || tsc <= s_startUpTsc)
            return;
        s_progressCount = count;
        s_progressTsc = tsc;
        s_progressNoted = true;
    }

    /// <summary>
    /// The check of <see cref="AgreesWithShortWindow"/> on the part of the window after <see cref="NoteStartUpProgress"/>
    /// (count <paramref name="count"/> read at <paramref name="tsc"/> now): when that part is at least as long as the
    /// short window, its rate must agree with the whole window's within 5%. False when there is no such part (the
    /// caller then waits for the short window).
    /// </summary>
    private static bool AgreesWithLaterPart(ulong hz, ushort count, ulong tsc)
    {
        if (!s_progressNoted || count > s_progressCount || tsc <= s_progressTsc)
            return false;
        ulong counts = (ulong)(s_progressCount - count);
        if (counts < CheckWindowCounts)
            return false;
        return AgreeWithinFivePercent((ulong)((UInt128)(tsc - s_progressTsc) * PitHz / counts), hz);
    }

    /// <summary>
    /// A check on the start-up window's rate (a wrong reading at its start could not be seen at its end): the rate over
    /// about 0.5 ms of the same count-down must agree within 5%.
    /// </summary>
    private static bool AgreesWithShortWindow(ulong hz)
    {
        ushort first = ReadPitCount(out ulong firstTsc, out _);
        for (int polls = 0; polls < 1_000_000; polls++)
        {
            ushort count = ReadPitCount(out ulong tsc, out _);
            if ((Ports.In8(PitGatePort) & 0x20) != 0 || count > first || tsc <= firstTsc)
                return false;
            ulong counts = (ulong)(first - count);
            if (counts < CheckWindowCounts)
                continue;
            return AgreeWithinFivePercent((ulong)((UInt128)(tsc - firstTsc) * PitHz / counts), hz);
        }
        return false;
    }

    /// <summary>The rule of both checks on the start-up window: a part's rate within 5% of the whole's.</summary>
    private static bool AgreeWithinFivePercent(ulong partHz, ulong hz)
    {
        ulong difference = partHz > hz ? partHz - hz : hz - partHz;
        return difference * 20 <= hz;
    }

    private const ulong CheckWindowCounts = 600;                    // 0.5 ms

    /// <summary>Channel 2's count, latched between two TSC reads: <paramref name="tsc"/> is their midpoint and
    /// <paramref name="bracket"/> their distance.</summary>
    private static ushort ReadPitCount(out ulong tsc, out ulong bracket)
    {
        ulong before = Plugs.X64.ReadTimestampCounter();
        Ports.Out8(PitCommandPort, 0x80);                            // latch channel 2's count
        ulong after = Plugs.X64.ReadTimestampCounter();
        byte low = Ports.In8(PitChannel2Port);
        byte high = Ports.In8(PitChannel2Port);
        tsc = before + (after - before) / 2;
        bracket = after - before;
        return (ushort)(low | high << 8);
    }

    private const ushort PitChannel2Port = 0x42, PitCommandPort = 0x43, PitGatePort = 0x61;
    private const int CalibrationWindows = 5;
    private const ushort PitWindowCounts = (ushort)(PitHz / 500);   // 2 ms

    /// <summary>TSC ticks over one PIT channel 2 one-shot of <see cref="PitWindowCounts"/>; 0 if the PIT never expires.</summary>
    private static ulong MeasurePitWindow(out ulong begin)
    {
        const ushort control = PitGatePort;
        byte gate = (byte)(Ports.In8(control) & 0xFC);
        Ports.Out8(control, gate);
        Ports.Out8(PitCommandPort, 0xB0);             // channel 2, lobyte/hibyte, mode 0
        Ports.Out8(PitChannel2Port, (byte)(PitWindowCounts & 0xFF));
        Ports.Out8(PitChannel2Port, (byte)(PitWindowCounts >> 8));
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
