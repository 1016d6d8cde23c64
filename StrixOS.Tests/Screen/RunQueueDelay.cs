using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;

namespace StrixOS.Tests.Screen;

/// <summary>
/// How long the host kept QEMU waiting: samples, about every millisecond, the run-queue delay Linux counts
/// for QEMU's main thread (timers) and its CPU threads (/proc/PID/task/TID/schedstat, second field: time
/// runnable but not running). Between two host times the delay is read from the samples just outside them,
/// so it can only be over-counted by the waits within one sampling gap, never missed.
/// </summary>
internal sealed class RunQueueDelay : IDisposable
{
    private readonly int _pid;
    private readonly List<(long HostMicroseconds, long DelayNanoseconds)> _samples = new();
    private readonly Thread _sampler;
    private volatile bool _stop;

    public RunQueueDelay(int pid)
    {
        _pid = pid;
        _sampler = new Thread(Sample) { IsBackground = true, Priority = ThreadPriority.Highest };
        _sampler.Start();
    }

    /// <summary>False when no sample could be taken (no schedstat: a kernel without CONFIG_SCHED_INFO).</summary>
    public bool Available
    {
        get
        {
            lock (_samples)
                return _samples.Count > 0;
        }
    }

    private static long NowMicroseconds => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10;

    private void Sample()
    {
        while (!_stop && Directory.Exists($"/proc/{_pid}"))
        {
            long? delay = Read();
            if (delay is not null)
            {
                lock (_samples)
                    _samples.Add((NowMicroseconds, delay.Value));
            }
            Thread.Sleep(1);
        }
    }

    /// <summary>The summed run-queue delay of the main and CPU threads; null when one of them could not be read
    /// this time (QEMU starts and ends threads while it runs: the next sample tries again).</summary>
    private long? Read()
    {
        try
        {
            long total = 0;
            int threads = 0;
            foreach (string task in Directory.GetDirectories($"/proc/{_pid}/task"))
            {
                string name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                bool main = Path.GetFileName(task) == _pid.ToString();
                if (!main && !name.StartsWith("CPU ", StringComparison.Ordinal))
                    continue;
                string[] fields = File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ');
                total += long.Parse(fields[1]);
                threads++;
            }
            return threads >= 2 ? total : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Run-queue delay (ms) between two host times (microseconds since 1970, as QEMU's trace stamps),
    /// or null when no samples bracket them.</summary>
    public double? DelayMilliseconds(long fromMicroseconds, long toMicroseconds)
    {
        lock (_samples)
        {
            int before = _samples.FindLastIndex(s => s.HostMicroseconds <= fromMicroseconds);
            int after = _samples.FindIndex(s => s.HostMicroseconds >= toMicroseconds);
            if (before < 0 || after < 0)
                return null;
            return (_samples[after].DelayNanoseconds - _samples[before].DelayNanoseconds) / 1e6;
        }
    }

    public void Dispose()
    {
        _stop = true;
        _sampler.Join(1000);
    }
}
