using System;
using System.Threading.Tasks;
using StrixOS.Boot;
using StrixOS.Cpu;
using StrixOS.Diagnostics;
using StrixOS.Plugs;

namespace StrixOS.Drivers;

/// <summary>
/// Measurements a host test or a person asks for on the command line: <c>strix.sleeptest=N</c> sleeps
/// 100 ms N times and prints a line after each with the time it slept and the clock's reading; each sleep
/// is bracketed by writes of its number (1-127) to COM1's scratch register, bit 7 set on the write after it,
/// which QEMU's trace stamps with the host's clock at the instruction (StrixOS.Tests/Screen/ScreenTests.cs);
/// <c>strix.delaytest=N</c> does the same with <c>await Task.Delay(100)</c> (CoreLib's timer queue and thread pool
/// on the scheduler, after one unmarked delay that starts their threads), the mark after each delay written by the
/// continuation that resumes (test image only: <see cref="KernelFeatures.KernelTests"/>);
/// <c>strix.irqlatency</c> sends this CPU 1000 self-interrupts and prints the cycles from the send to the
/// handler's first C# line (docs/benchmarks.md).
/// </summary>
public static class ClockProbes
{
    public const byte ProbeVector = 0xE0;
    private static ulong s_handlerTsc;

    public static void Run(CommandLine commandLine)
    {
        if (commandLine.TryGetValue("strix.sleeptest", out string countText) && int.TryParse(countText, out int count))
            SleepTest(count);
        if (commandLine.TryGetValue("strix.delaytest", out string delayText) && int.TryParse(delayText, out int delays))
        {
            // Task.Delay is the only use of CoreLib's tasks, timer queue and thread pool at start-up: left in the
            // application image it keeps about 100 KB of them there (docs/benchmarks.md, "A smaller boot image").
            // The test image carries the probe; a kernel of its own that uses tasks gets them whatever this does.
            // Asked of the application image, the probe fails the boot as a test run does there: no silent skip.
            if (KernelFeatures.KernelTests)
                DelayTest(delays);
            else
                Panic.Fail("strix.delaytest: this image carries no Task.Delay probe (built with StrixKernelTests=false): boot the test image, bin/<Configuration>/strix.iso");
        }
        if (commandLine.Has("strix.irqlatency"))
            IrqLatency(1000);
    }

    private static void SleepTest(int count)
    {
        KernelLog.Raw($"sleep-test: start at {Clock.Nanoseconds} ns");
        for (int i = 1; i <= count; i++)
        {
            byte marker = (byte)(i & 0x7F);
            SerialPort.Com1.WriteScratch(marker);
            ulong before = Clock.Nanoseconds;
            Clock.Sleep(100);
            ulong slept = Clock.Nanoseconds - before;
            SerialPort.Com1.WriteScratch((byte)(0x80 | marker));
            KernelLog.Raw($"sleep-test: tick {i} slept {slept} ns at {Clock.Nanoseconds} ns");
        }
    }

    private static void DelayTest(int count)
    {
        KernelLog.Raw($"delay-test: start at {Clock.Nanoseconds} ns");
        // A second per delay is ten times what it needs: past that something is stuck, and the kernel says so
        // and goes on to stop rather than hang.
        if (!AwaitDelays(count).Wait(TimeSpan.FromSeconds(count + 5)))
            KernelLog.Raw($"delay-test: the {count} delays did not finish within {count + 5} s");
    }

    private static async Task AwaitDelays(int count)
    {
        // CoreLib starts its timer thread and the pool's first worker at the first delay, as on .NET; an unmarked
        // one first, so the marked delays time the delay and not the creation of those threads.
        await Task.Delay(1);
        for (int i = 1; i <= count; i++)
        {
            byte marker = (byte)(i & 0x7F);
            SerialPort.Com1.WriteScratch(marker);
            ulong before = Clock.Nanoseconds;
            await Task.Delay(100);
            ulong waited = Clock.Nanoseconds - before;
            SerialPort.Com1.WriteScratch((byte)(0x80 | marker));
            KernelLog.Raw($"delay-test: delay {i} took {waited} ns at {Clock.Nanoseconds} ns");
        }
    }

    private static void IrqLatency(int samples)
    {
        Interrupts.RegisterLocalVector(ProbeVector, static () => s_handlerTsc = X64.ReadTimestampCounter());
        ulong[] cycles = new ulong[samples];
        for (int i = 0; i < samples; i++)
        {
            ulong flags = InterruptFlag.SaveAndDisable();
            s_handlerTsc = 0;
            ulong sent = X64.ReadTimestampCounter();
            LocalApic.SendSelfInterrupt(ProbeVector);
            InterruptFlag.Restore(flags);       // the interrupt is taken here
            while (s_handlerTsc == 0)
                X64.Pause();
            cycles[i] = s_handlerTsc - sent;
        }
        Array.Sort(cycles);
        ulong hz = Timestamp.TicksPerSecond;
        ulong median = cycles[samples / 2];
        KernelLog.Raw($"irq-latency: {samples} self-interrupts, TSC cycles min {cycles[0]} median {median} " +
                      $"p99 {cycles[samples * 99 / 100]} max {cycles[samples - 1]}; median {median * 1_000_000_000UL / hz} ns at {hz / 1_000_000} MHz");
    }
}
