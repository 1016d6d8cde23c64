using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace StrixOS.Benchmarks;

/// <summary>
/// The unit every kernel-against-host benchmark divides by: under QEMU's software emulation every instruction is
/// slower than on the host, so each benchmark also times a plain call chain on both sides and reports its ratio
/// with that slowdown divided out. Compiled into the kernel and into each host benchmark program.
/// </summary>
public static class EmulationCalibration
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int CallDown(int depth) => depth <= 1 ? 1 : CallDown(depth - 1) + 1;

    /// <summary>ns per plain call-and-return through <paramref name="frames"/> frames, over <paramref name="iterations"/> chains.</summary>
    public static double NanosecondsPerCallChain(int frames, int iterations)
    {
        int sink = 0;
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < iterations; i++)
            sink += CallDown(frames);
        long elapsed = Stopwatch.GetTimestamp() - start;
        if (sink != iterations * frames)
            throw new InvalidOperationException("call chain miscounted");
        return elapsed * 1e9 / Stopwatch.Frequency / iterations;
    }
}
