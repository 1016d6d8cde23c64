using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace StrixOS.Benchmarks;

/// <summary>
/// The collector's two figures: allocation throughput (short-lived 32- and 64-byte objects and small
/// arrays, with a small set of survivors, in objects per second, collections included) and the pause of a
/// full collection with 10 MB and 100 MB of live, linked objects. The same source runs in the kernel
/// (command line <c>bench=gc</c>, TSC through Stopwatch) and on the host .NET runtime with the
/// workstation, non-concurrent GC (host/StrixOS.Benchmarks/GcHost); `./strix bench gc` runs both.
/// A plain call loop calibrates QEMU's emulation slowdown, as in the exceptions benchmark.
/// </summary>
public static class GcBenchmark
{
    private sealed class Small(int value)
    {
        public int Value = value;
        public Small? Next;
    }

    private sealed class Live(int value, Live? next)
    {
        public readonly Live? Next = next;
        public readonly long A = value, B = value, C = value, D = value;   // 64-byte objects with the header
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static long Churn(int objects)
    {
        var survivors = new object[1024];
        long sink = 0;
        for (int i = 0; i < objects; i++)
        {
            object o = (i & 3) switch
            {
                0 => new Small(i),
                1 => new byte[24],
                2 => new Live(i, null),
                _ => new Small(i) { Next = new Small(-i) },
            };
            if ((i & 127) == 0)
                survivors[(i >> 7) & 1023] = o;
            sink += i;
        }
        GC.KeepAlive(survivors);
        return sink;
    }

    /// <summary>Objects per second over <paramref name="objects"/> allocations (a fifth of a round for warm-up).</summary>
    public static double ObjectsPerSecond(int objects)
    {
        Churn(objects / 5);
        long start = Stopwatch.GetTimestamp();
        Churn(objects);
        long elapsed = Stopwatch.GetTimestamp() - start;
        // The fourth kind allocates two objects.
        double allocated = objects + objects / 4.0;
        return allocated * Stopwatch.Frequency / elapsed;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Live BuildLive(long bytes)
    {
        Live? head = null;
        for (long i = 0; i < bytes / 64; i++)
            head = new Live((int)i, head);
        return head!;
    }

    /// <summary>The shortest of <paramref name="rounds"/> full collections with about <paramref name="liveBytes"/> live, in microseconds.</summary>
    public static double PauseMicroseconds(long liveBytes, int rounds)
    {
        Live live = BuildLive(liveBytes);
        GC.Collect();
        long best = long.MaxValue;
        for (int i = 0; i < rounds; i++)
        {
            long start = Stopwatch.GetTimestamp();
            GC.Collect();
            long elapsed = Stopwatch.GetTimestamp() - start;
            if (elapsed < best)
                best = elapsed;
        }
        GC.KeepAlive(live);
        return best * 1e6 / Stopwatch.Frequency;
    }

    /// <summary>The lines both sides print: "gc-alloc objects=N objects-per-second=X", "gc-pause live-mb=M us=X", the calibration.</summary>
    public static string[] Run(int objects = 2_000_000)
    {
        double perSecond = ObjectsPerSecond(objects);
        double pause10 = PauseMicroseconds(10L << 20, 3);
        double pause100 = PauseMicroseconds(100L << 20, 3);
        double callNs = EmulationCalibration.NanosecondsPerCallChain(10, 100_000);
        return
        [
            $"gc-alloc objects={objects} objects-per-second={(long)perSecond}",
            $"gc-pause live-mb=10 us={(long)pause10}",
            $"gc-pause live-mb=100 us={(long)pause100}",
            $"call-chain frames=10 iterations=100000 ns-per-cycle={callNs:F1}",
        ];
    }
}
