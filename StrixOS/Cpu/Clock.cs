using StrixOS.Diagnostics;
using StrixOS.Plugs;
using StrixOS.Text;

namespace StrixOS.Cpu;

/// <summary>
/// Time: the monotonic clock is the TSC calibrated against the HPET, or the PIT without one
/// (<see cref="Timestamp"/>, the same clock behind Stopwatch and Environment.TickCount64); waiting is the local APIC timer in one-shot mode,
/// calibrated against that clock, with the CPU halted until the interrupt.
/// </summary>
public static class Clock
{
    // The calibration's span: long enough that the two ends' brackets (each end lies between two clock reads, about
    // 5-15 us apart in QEMU, where the APIC's registers are emulated) add up to under 1% of it, so the rate is off by
    // under 0.5%; it runs on while a descheduled vCPU widens a bracket.
    private const ulong CalibrationMinNs = 1_000_000;
    private const ulong CalibrationMaxNs = 50_000_000;
    private const ulong CalibrationErrorDivisor = 100;
    private static ulong s_apicTicksPerSecond;
    // The calibration's first end, taken by BeginTimerCalibration (0: not begun): the count then runs while the
    // start-up parses ACPI, so the scheduler's CalibrateTimer finds its span long enough without waiting for it.
    private static ulong s_calibrationStart, s_calibrationStartWidth;

    /// <summary>Nanoseconds since boot (monotonic).</summary>
    public static ulong Nanoseconds => Timestamp.Nanoseconds;

    /// <summary>The APIC timer's rate, 0 until <see cref="CalibrateTimer"/> measured it.</summary>
    public static ulong ApicTimerHz => s_apicTicksPerSecond;

    /// <summary>
    /// Prepares the clock without measuring anything (boot does not wait for it): the TSC is measured against
    /// the HPET (when ACPI lists one) at the clock's first read, the APIC timer's rate when the scheduler starts.
    /// Interrupts must be set up.
    /// </summary>
    public static void Start(ulong hpetAddress)
    {
        Timestamp.MeasureAgainstHpet(hpetAddress);
        Interrupts.RegisterLocalVector(LocalApic.TimerVector, static () => { });
    }

    /// <summary>
    /// Starts the APIC timer counting down, masked, for <see cref="CalibrateTimer"/>, which ends the count later: the
    /// start-up's work in between (ACPI, interrupt controllers) replaces the calibration's wait. Enables this CPU's
    /// APIC at the address its MSR gives (<see cref="Interrupts.Initialize"/> enables it again at the MADT's, which
    /// leaves the count running).
    /// </summary>
    public static void BeginTimerCalibration()
    {
        if (s_apicTicksPerSecond != 0 || s_calibrationStart != 0)
            return;
        if (!LocalApic.IsEnabled)
            LocalApic.Enable(0);
        LocalApic.TimerSetDivideBy16();
        LocalApic.TimerMask();
        ulong startBefore = Timestamp.Nanoseconds;
        LocalApic.TimerStartFreeRunning();
        ulong startAfter = Timestamp.Nanoseconds;
        s_calibrationStartWidth = startAfter - startBefore;
        s_calibrationStart = startBefore + s_calibrationStartWidth / 2;
    }

    /// <summary>
    /// Measures the APIC timer's rate against the TSC clock, once, when the scheduler starts (so no sleep pays for
    /// it: a sleep that measured it first overshot by the calibration's length). Each end of the count is bracketed
    /// by two clock reads; the span runs from 1 ms until the brackets' widths add up to under 1% of it (50 ms at most).
    /// The count began at <see cref="BeginTimerCalibration"/> when the start-up called it, else here.
    /// </summary>
    public static void CalibrateTimer()
    {
        if (s_apicTicksPerSecond != 0)
            return;
        BeginTimerCalibration();
        ulong start = s_calibrationStart;
        ulong startWidth = s_calibrationStartWidth;
        uint remaining;
        ulong end;
        while (true)
        {
            ulong endBefore = Timestamp.Nanoseconds;
            remaining = LocalApic.TimerCurrent;
            ulong endAfter = Timestamp.Nanoseconds;
            end = endBefore + (endAfter - endBefore) / 2;
            ulong span = end - start;
            if (span >= CalibrationMaxNs ||
                (span >= CalibrationMinNs && (startWidth + (endAfter - endBefore)) * CalibrationErrorDivisor <= span))
                break;
        }
        uint elapsed = uint.MaxValue - remaining;
        LocalApic.TimerStop();
        s_apicTicksPerSecond = (ulong)elapsed * 1_000_000_000UL / (end - start);
        var line = new LineBuilder(stackalloc char[LineBuilder.LineLength]);
        line.Append("clock: TSC ");
        line.Decimal(Timestamp.TicksPerSecond / 1000);
        line.Append(" kHz (measured against the ");
        line.Append(Timestamp.Source);
        line.Append("), APIC timer ");
        line.Decimal(s_apicTicksPerSecond / 1000);
        line.Append(" kHz (bus clock / 16)");
        KernelLog.Info(line.Written);
    }

    /// <summary>APIC timer ticks for <paramref name="nanoseconds"/>, at least 1, at most the counter's range.</summary>
    public static uint TimerTicksFor(ulong nanoseconds)
    {
        if (nanoseconds > 1_000_000_000UL)
            nanoseconds = 1_000_000_000UL;       // no overflow below; the timer fires again later
        ulong ticks = nanoseconds * s_apicTicksPerSecond / 1_000_000_000UL;
        return ticks > uint.MaxValue ? uint.MaxValue : ticks == 0 ? 1u : (uint)ticks;
    }

    /// <summary>
    /// Waits until <paramref name="deadlineNs"/> (on <see cref="Nanoseconds"/>): once the scheduler runs, the thread
    /// sleeps in its sleep queue; before that the CPU halts until the APIC timer fires.
    /// </summary>
    public static void SleepUntil(ulong deadlineNs)
    {
        if (Threading.Scheduler.IsRunning)
        {
            Threading.Scheduler.SleepUntil(deadlineNs);
            return;
        }
        while (true)
        {
            ulong now = Timestamp.Nanoseconds;
            if (now >= deadlineNs)
                return;
            if (s_apicTicksPerSecond == 0 && Interrupts.IsInitialized)
                CalibrateTimer();
            if (s_apicTicksPerSecond == 0 || !Interrupts.IsInitialized)
            {
                X64.Pause();
                continue;
            }
            ulong flags = InterruptFlag.SaveAndDisable();
            LocalApic.TimerOneShot(TimerTicksFor(deadlineNs - now));
            InterruptFlag.EnableAndHalt();
            InterruptFlag.Restore(flags);
        }
    }

    public static void Sleep(ulong milliseconds) => SleepUntil(Timestamp.Nanoseconds + milliseconds * 1_000_000UL);

    /// <summary>Halts until any interrupt arrives (the idle wait of Run, ReadKey and ReadLine).</summary>
    public static void WaitForInterrupt()
    {
        ulong flags = InterruptFlag.SaveAndDisable();
        InterruptFlag.EnableAndHalt();
        InterruptFlag.Restore(flags);
    }
}
