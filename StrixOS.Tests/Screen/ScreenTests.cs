using System;
using System.Collections.Generic;
using System.Linq;
using StrixOS.Tests.Booting;
using Xunit;
using Xunit.Abstractions;

namespace StrixOS.Tests.Screen;

/// <summary>
/// The kernel used as a person would: boot with a display, type on the keyboard (monitor sendkey) and the
/// serial port, and read the screen back (VGA text memory under SeaBIOS, a screenshot decoded with
/// StrixOS's font under OVMF). Also: the screen after a panic, an unsupported CPU, the ACPI power-off, and a
/// 100 ms sleep against the host's clock. Each test is one QEMU boot.
/// </summary>
[Collection("QEMU screen")]
public class ScreenTests(ITestOutputHelper output)
{
    private static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(120);
    private static string StarterImage => KernelBoot.Image("samples/CosmosStarter/bin/Debug/strix.iso");

    [Fact]
    public void StarterKernelEchoesAKeyboardAndASerialLineOnTheVGATextScreenUnderSeaBIOS()
    {
        using QemuSession qemu = QemuSession.Start(StarterImage);
        Assert.True(qemu.WaitForText("Input: ", BootTimeout), "no prompt on COM1:\n" + qemu.Transcript);

        qemu.TypeOnKeyboard("Hello, Strix!\n");
        Assert.True(qemu.WaitForText("Text typed: Hello, Strix!", TimeSpan.FromSeconds(30)), "keyboard line not echoed on COM1:\n" + qemu.Transcript);
        qemu.TypeOnSerial("typed on com1\n");
        Assert.True(qemu.WaitForText("Text typed: typed on com1\nInput: ", TimeSpan.FromSeconds(30)), "serial line not echoed:\n" + qemu.Transcript);

        string[] screen = ScreenText.FromVgaText(qemu.ReadPhysical(0xB8000, 80 * 25 * 2));
        output.WriteLine(string.Join("\n", screen));
        Assert.Contains(screen, l => l.StartsWith("[info]  memory: ", StringComparison.Ordinal) && l.Contains("frames free"));
        Assert.Contains(screen, l => l.StartsWith("[info]  screen: VGA text 80x25", StringComparison.Ordinal));
        Assert.Contains("Booted. Type a line of text to get it echoed back.", screen);
        Assert.Contains("Input: Hello, Strix!", screen);
        Assert.Contains("Text typed: Hello, Strix!", screen);
        Assert.Contains("Text typed: typed on com1", screen);
        Assert.Equal("Input:", screen.Last(l => l.Length > 0));   // the prompt after the serial line (waited for above)
    }

    [Fact]
    public void StarterKernelEchoesAKeyboardLineWithBackspaceOnTheFramebufferUnderOVMF()
    {
        using QemuSession qemu = QemuSession.Start(StarterImage, uefi: true, memory: "256M");
        Assert.True(qemu.WaitForText("Input: ", BootTimeout), "no prompt on COM1:\n" + qemu.Transcript);

        qemu.TypeOnKeyboard("uefi xy\b\bkeys\n");
        Assert.True(qemu.WaitForText("Text typed: uefi keys", TimeSpan.FromSeconds(30)), "keyboard line not echoed:\n" + qemu.Transcript);

        Ppm dump = qemu.ScreenDump();
        string[] screen = ScreenText.FromFramebuffer(dump);
        output.WriteLine($"{dump.Width}x{dump.Height}\n" + string.Join("\n", screen));
        Assert.Contains(screen, l => l.StartsWith("[info]  screen: framebuffer ", StringComparison.Ordinal));
        Assert.Contains(screen, l => l.StartsWith("[info]  memory: ", StringComparison.Ordinal) && l.Contains("frames free"));
        Assert.Contains("Booted. Type a line of text to get it echoed back.", screen);
        Assert.Contains("Input: uefi keys", screen);
        Assert.Contains("Text typed: uefi keys", screen);
        Assert.DoesNotContain(screen, l => l.Contains('\uFFFD'));
    }

    [Fact]
    public void PanicReportIsOnTheScreenAndTheMachineHalts()
    {
        using QemuSession qemu = QemuSession.Start(KernelBoot.DefaultImage, commandLine: "strix.fail=throw");
        Assert.True(qemu.WaitForText("asked for this exception\n", BootTimeout), "no panic on COM1:\n" + qemu.Transcript);
        string[] screen = ScreenText.FromVgaText(qemu.ReadPhysical(0xB8000, 80 * 25 * 2));
        output.WriteLine(string.Join("\n", screen));
        Assert.Contains(screen, l => l.Contains("!!! STRIXOS PANIC: unhandled exception"));
        Assert.Null(qemu.WaitForExit(TimeSpan.FromSeconds(2)));   // halted with the report readable, not rebooted or off
    }

    [Theory]
    [InlineData("qemu64,-nx", "StrixOS boot: this CPU has no NX (no-execute) support")]
    [InlineData("qemu32", "StrixOS boot: this CPU has no 64-bit long mode")]
    public void CpuTheKernelCannotRunOnGetsAMessageOnTheScreenAndCom1(string cpu, string message)
    {
        using QemuSession qemu = QemuSession.Start(KernelBoot.DefaultImage, cpu: cpu);
        Assert.True(qemu.WaitForText(message, BootTimeout), "no message on COM1:\n" + qemu.Transcript);
        // The boot stage writes each character to COM1 and then to the screen: the screen's last
        // character can trail COM1's, so read it again (briefly) until the line is complete.
        string[] screen = ScreenText.FromVgaText(qemu.ReadPhysical(0xB8000, 80 * 25 * 2));
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); screen[0] != message && waited.Elapsed < TimeSpan.FromSeconds(2);)
        {
            System.Threading.Thread.Sleep(50);
            screen = ScreenText.FromVgaText(qemu.ReadPhysical(0xB8000, 80 * 25 * 2));
        }
        Assert.Equal(message, screen[0]);
    }

    /// <summary>
    /// A 100 ms sleep lasts 100 ms of the host's time within 5%, in parts that a loaded host cannot blur: no
    /// sleep ends early and the shortest lasts 100-105 ms on the kernel's clock, and over the whole run (20
    /// sleeps, about 2 s) the kernel's clock advances at the host clock's rate within 5% (its readings
    /// against the times the lines arrive, from the least-delayed line of each half of the run). A starved QEMU wakes late (the full suite on 2 cores shows
    /// sleeps of 110-240 ms), so the longest sleep and the intervals between the lines as the host saw them
    /// are printed, not asserted.
    /// </summary>
    [Fact]
    public void StopPowersQEMUOffThroughACPIAnd100MsSleepsMatchTheHostClock()
    {
        const int ticks = 20;
        using QemuSession qemu = QemuSession.Start(KernelBoot.DefaultImage, commandLine: $"strix.sleeptest={ticks}");
        int? status = qemu.WaitForExit(BootTimeout);
        output.WriteLine(qemu.Transcript);
        Assert.Equal(0, status);   // no isa-debug-exit device: only an ACPI S5 power-off ends QEMU with 0
        Assert.Contains("kernel stopped; shutting down", qemu.Transcript);

        List<SerialLine> tickLines = qemu.Lines.Where(l => l.Text.StartsWith("sleep-test: tick ", StringComparison.Ordinal)).ToList();
        Assert.Equal(ticks, tickLines.Count);
        // "sleep-test: tick I slept NS ns at NS ns"
        List<double> sleptMs = tickLines.Select(l => ulong.Parse(l.Text.Split(' ')[4]) / 1e6).ToList();
        List<double> kernelAtMs = tickLines.Select(l => ulong.Parse(l.Text.Split(' ')[7]) / 1e6).ToList();
        var hostIntervals = new List<double>();
        for (int i = 1; i < tickLines.Count; i++)
            hostIntervals.Add((tickLines[i].At - tickLines[i - 1].At).TotalMilliseconds);
        // A line reaches the host some time after the kernel's reading in it (printing, scheduling): from each
        // half of the run take the line with the least such delay, and compare the clocks between those two.
        List<double> hostAtMs = tickLines.Select(l => l.At.TotalMilliseconds).ToList();
        int half = ticks / 2;
        int early = Enumerable.Range(0, half).MinBy(i => hostAtMs[i] - kernelAtMs[i]);
        int late = Enumerable.Range(half, ticks - half).MinBy(i => hostAtMs[i] - kernelAtMs[i]);
        double hostSpan = hostAtMs[late] - hostAtMs[early];
        double kernelSpan = kernelAtMs[late] - kernelAtMs[early];
        double rate = kernelSpan / hostSpan;
        output.WriteLine($"slept (kernel clock, ms): {string.Join(", ", sleptMs.Select(m => m.ToString("F2")))}");
        output.WriteLine($"line intervals (host clock, ms): {string.Join(", ", hostIntervals.Select(m => m.ToString("F1")))}");
        output.WriteLine($"kernel clock {kernelSpan:F1} ms over {hostSpan:F1} ms of host clock: rate {rate:F4}");

        Assert.All(sleptMs, ms => Assert.True(ms >= 100.0, $"a 100 ms sleep ended early: {ms:F2} ms"));
        Assert.InRange(sleptMs.Min(), 100.0, 105.0);   // on time whenever the host lets QEMU run
        Assert.InRange(rate, 0.95, 1.05);
    }
}
