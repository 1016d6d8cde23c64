using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace StrixOS.Benchmarks;

/// <summary>
/// The unit every kernel-against-host benchmark divides by: under QEMU's software emulation every instruction is
/// slower than on the host, so each benchmark also times a plain call chain on both sides and reports its ratio
/// with that slowdown divided out. Compiled into the kernel and into each host benchmark program.
/// <para>Both sides time optimized code: ILC compiles the kernel with -O, and on a JIT host
/// <see cref="MethodImplOptions.AggressiveOptimization"/> skips tier 0 (a millisecond of chains runs before tiered
/// compilation would promote the methods, so the host used to time unoptimized calls: 21-28 ns per chain against
/// 12.6-14.2 ns optimized, which understated QEMU's slowdown by up to 2x).</para>
/// </summary>
public static class EmulationCalibration
{
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int CallDown(int depth) => depth <= 1 ? 1 : CallDown(depth - 1) + 1;

    /// <summary>ns per plain call-and-return through <paramref name="frames"/> frames, over <paramref name="iterations"/> chains.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
