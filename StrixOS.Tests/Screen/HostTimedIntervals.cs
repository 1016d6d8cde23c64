using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace StrixOS.Tests.Screen;

/// <summary>
/// How long each of a kernel's numbered waits lasted by the host's clock. The kernel writes the wait's number
/// (1-127) to COM1's scratch register just before it and the number with bit 7 set just after it
/// (StrixOS/Drivers/ClockProbes.cs); QEMU's <c>serial_write</c> trace stamps both writes with the host's clock as
/// the emulated CPU executes them, so neither the serial pipe nor this process's delays count. A wait that ends
/// late because the host did not run QEMU is not the kernel's lateness: the run-queue delay of QEMU's threads
/// over the same span (<see cref="RunQueueDelay"/>) is reported beside it, to be taken off.
/// </summary>
internal readonly record struct HostTimedInterval(int Number, double HostMilliseconds, double RunQueueMilliseconds)
{
    /// <summary>The host's time less what the host kept QEMU waiting: the kernel's own share of the wait.</summary>
    public double WithoutRunQueueMilliseconds => HostMilliseconds - RunQueueMilliseconds;

    /// <summary>Waits 1..<paramref name="count"/> from QEMU's trace, in order (firmware writes to the scratch
    /// register, if any, come before the first).</summary>
    public static List<HostTimedInterval> Read(string tracePath, int count, RunQueueDelay runQueue)
    {
        List<SerialWrite> marks = SerialWrite.ReadAll(tracePath).Where(w => w.Register == SerialWrite.ScratchRegister).ToList();
        var intervals = new List<HostTimedInterval>();
        int next = 0;
        for (int i = 1; i <= count; i++)
        {
            int number = i & 0x7F;
            int beginAt = marks.FindIndex(next, w => w.Value == number);
            Assert.True(beginAt >= 0 && beginAt + 1 < marks.Count, $"no scratch-register marks for wait {i} in QEMU's trace");
            SerialWrite begin = marks[beginAt], end = marks[beginAt + 1];
            Assert.Equal(0x80 | number, end.Value);
            next = beginAt + 2;
            double? waitedMs = runQueue.DelayMilliseconds(begin.HostMicroseconds, end.HostMicroseconds);
            Assert.True(waitedMs.HasValue, $"no run-queue samples around wait {i}");
            intervals.Add(new HostTimedInterval(i, (end.HostMicroseconds - begin.HostMicroseconds) / 1000.0, waitedMs!.Value));
        }
        return intervals;
    }

    /// <summary>The waits outside <paramref name="targetMs"/> within 5%: never shorter by the host's clock (the
    /// kernel's clock running fast), never longer once the host's run-queue delay is taken off.</summary>
    public static List<string> OutsideFivePercent(IEnumerable<HostTimedInterval> intervals, double targetMs, string what)
    {
        double low = targetMs * 0.95, high = targetMs * 1.05;
        var failures = new List<string>();
        foreach (HostTimedInterval interval in intervals)
        {
            if (interval.HostMilliseconds < low)
                failures.Add($"{what} {interval.Number} lasted {interval.HostMilliseconds:F2} ms of host time (< {low:F0})");
            if (interval.WithoutRunQueueMilliseconds > high)
                failures.Add($"{what} {interval.Number} lasted {interval.HostMilliseconds:F2} ms of host time, " +
                             $"{interval.WithoutRunQueueMilliseconds:F2} ms without the host's run-queue delay (> {high:F0})");
        }
        return failures;
    }
}
