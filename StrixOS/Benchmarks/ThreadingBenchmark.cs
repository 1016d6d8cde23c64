using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace StrixOS.Benchmarks;

/// <summary>
/// Three threading figures, one CPU: the context switch (two threads handing the CPU to each other with
/// Thread.Yield, ns per switch), a SemaphoreSlim ping-pong between two threads (ns per round trip: two
/// releases, two blocking waits), and an <c>await Task.Yield()</c> round trip through the thread pool. The
/// same source runs in the kernel (command line <c>bench=threads</c>) and on the host .NET runtime pinned to
/// one CPU (host/StrixOS.Benchmarks/ThreadsHost); `./strix bench threads` runs both. A plain call loop
/// calibrates QEMU's emulation slowdown, as in the other benchmarks.
/// </summary>
public static class ThreadingBenchmark
{
    /// <summary>ns per switch: two threads each yield <paramref name="rounds"/> times, alternating.</summary>
    public static double YieldSwitchNanoseconds(int rounds)
    {
        int started = 0;
        long start = 0;
        long switches = 0;
        var a = new Thread(() => Spin(rounds, ref started, ref switches));
        var b = new Thread(() => Spin(rounds, ref started, ref switches));
        a.Start();
        b.Start();
        while (Volatile.Read(ref started) < 2)
            Thread.Yield();
        start = Stopwatch.GetTimestamp();
        a.Join();
        b.Join();
        long elapsed = Stopwatch.GetTimestamp() - start;
        return elapsed * 1e9 / Stopwatch.Frequency / Math.Max(1, Interlocked.Read(ref switches));
    }

    private static void Spin(int rounds, ref int started, ref long switches)
    {
        Interlocked.Increment(ref started);
        while (Volatile.Read(ref started) < 2)
            Thread.Yield();
        long mine = 0;
        for (int i = 0; i < rounds; i++)
        {
            if (Thread.Yield())
                mine++;
        }
        Interlocked.Add(ref switches, mine);
    }

    /// <summary>ns per round trip of a SemaphoreSlim ping-pong between two threads.</summary>
    public static double SemaphorePingPongNanoseconds(int rounds)
    {
        var ping = new SemaphoreSlim(0);
        var pong = new SemaphoreSlim(0);
        var other = new Thread(() =>
        {
            for (int i = 0; i < rounds; i++)
            {
                ping.Wait();
                pong.Release();
            }
        });
        other.Start();
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < rounds; i++)
        {
            ping.Release();
            pong.Wait();
        }
        long elapsed = Stopwatch.GetTimestamp() - start;
        other.Join();
        return elapsed * 1e9 / Stopwatch.Frequency / rounds;
    }

    /// <summary>ns per <c>await Task.Yield()</c> (a continuation queued to the pool and run there).</summary>
    public static double TaskYieldNanoseconds(int rounds)
    {
        Task.Run(() => YieldLoop(rounds / 10)).Wait();
        long start = Stopwatch.GetTimestamp();
        Task.Run(() => YieldLoop(rounds)).Wait();
        long elapsed = Stopwatch.GetTimestamp() - start;
        return elapsed * 1e9 / Stopwatch.Frequency / rounds;
    }

    private static async Task YieldLoop(int rounds)
    {
        for (int i = 0; i < rounds; i++)
            await Task.Yield();
    }

    /// <summary>The lines both sides print: "threads-yield ns=X", "threads-semaphore ns=X", "threads-task-yield ns=X", the calibration.</summary>
    public static string[] Run()
    {
        double callNs = EmulationCalibration.NanosecondsPerCallChain(10, 100_000);
        double yieldNs = YieldSwitchNanoseconds(20_000);
        double semaphoreNs = SemaphorePingPongNanoseconds(10_000);
        double taskNs = TaskYieldNanoseconds(20_000);
        double callNsAfter = EmulationCalibration.NanosecondsPerCallChain(10, 100_000);
        return
        [
            $"threads-yield switch ns={yieldNs:F0}",
            $"threads-semaphore round-trip ns={semaphoreNs:F0}",
            $"threads-task-yield round-trip ns={taskNs:F0}",
            $"call-chain frames=10 iterations=100000 ns-per-cycle={Math.Min(callNs, callNsAfter):F1}",
        ];
    }
}
