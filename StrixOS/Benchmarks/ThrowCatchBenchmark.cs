using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace StrixOS.Benchmarks;

/// <summary>
/// Throw + catch across 1 and 10 frames, in ns per cycle. The same source runs in the kernel
/// (command line <c>bench=exceptions</c>, timed by the TSC through Stopwatch) and on the host as a
/// NativeAOT program (host/StrixOS.Benchmarks/ExceptionsHost); `./strix bench exceptions` runs both
/// and docs/benchmarks.md records the figures.
/// </summary>
public static class ThrowCatchBenchmark
{
    public const int DefaultIterations = 2000;

    private sealed class BenchException() : Exception("bench");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int ThrowAt(int depth)
    {
        if (depth <= 1)
            throw new BenchException();
        return ThrowAt(depth - 1) + 1;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Cycle(int frames)
    {
        try
        {
            return ThrowAt(frames);
        }
        catch (BenchException)
        {
            return 1;
        }
    }

    /// <summary>Mean ns per throw/catch cycle over <paramref name="iterations"/> cycles (after a warm-up).</summary>
    public static double NanosecondsPerCycle(int frames, int iterations)
    {
        int sink = 0;
        for (int i = 0; i < 10; i++)
            sink += Cycle(frames);
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < iterations; i++)
            sink += Cycle(frames);
        long elapsed = Stopwatch.GetTimestamp() - start;
        if (sink != iterations + 10)
            throw new InvalidOperationException("a throw was not caught");
        return elapsed * 1e9 / Stopwatch.Frequency / iterations;
    }

    /// <summary>The result lines both sides print: "throw-catch frames=N iterations=M ns-per-cycle=X", then the calibration.</summary>
    public static string[] Run(int iterations = DefaultIterations)
    {
        int[] depths = [1, 10];
        var lines = new string[depths.Length + 1];
        for (int i = 0; i < depths.Length; i++)
        {
            double ns = NanosecondsPerCycle(depths[i], iterations);
            lines[i] = $"throw-catch frames={depths[i]} iterations={iterations} ns-per-cycle={(long)ns}";
        }
        const int CallIterations = 100_000;
        double callNs = EmulationCalibration.NanosecondsPerCallChain(10, CallIterations);
        lines[depths.Length] = $"call-chain frames=10 iterations={CallIterations} ns-per-cycle={callNs:F1}";
        return lines;
    }
}
