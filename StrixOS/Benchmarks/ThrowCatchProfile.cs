using System.Diagnostics;
using StrixOS.Runtime.Exceptions;

namespace StrixOS.Benchmarks;

/// <summary>
/// The kernel-only half of the exceptions benchmark: the same throw/catch cycles with the unwinder's
/// decode cache off (every frame's FDE, LSDA and CFI decoded again, as before the cache) and on,
/// and for each the share of a cycle spent in the runtime's stack-frame iterator and EH clause
/// enumeration (the rest is CoreLib's dispatcher, the allocation and the catch).
/// </summary>
public static class ThrowCatchProfile
{
    public static string[] Run(int iterations = ThrowCatchBenchmark.DefaultIterations)
    {
        int[] depths = [1, 10];
        var lines = new string[depths.Length * 3];
        int n = 0;
        foreach (int frames in depths)
        {
            KernelCode.UseUnwindCache = false;
            double uncached = ThrowCatchBenchmark.NanosecondsPerCycle(frames, iterations);
            lines[n++] = $"throw-catch-uncached frames={frames} iterations={iterations} ns-per-cycle={(long)uncached}";
            lines[n++] = Profile(frames, iterations, cache: false);
            KernelCode.UseUnwindCache = true;
            lines[n++] = Profile(frames, iterations, cache: true);
        }
        return lines;
    }

    private static string Profile(int frames, int iterations, bool cache)
    {
        UnwinderProfile.Reset();
        UnwinderProfile.Enabled = true;
        double total = ThrowCatchBenchmark.NanosecondsPerCycle(frames, iterations);
        UnwinderProfile.Enabled = false;
        // NanosecondsPerCycle runs 10 warm-up cycles before the timed ones; the probes count them too.
        double cycles = iterations + 10;
        double iterator = UnwinderProfile.IteratorTicks * 1e9 / Stopwatch.Frequency / cycles;
        double clauses = UnwinderProfile.ClauseTicks * 1e9 / Stopwatch.Frequency / cycles;
        return $"profile frames={frames} unwind-cache={(cache ? "on" : "off")} ns-per-cycle={(long)total} " +
               $"iterator-ns={(long)iterator} ({iterator * 100 / total:F0}%, {UnwinderProfile.IteratorCalls / (long)cycles} calls) " +
               $"clauses-ns={(long)clauses} ({clauses * 100 / total:F0}%, {UnwinderProfile.ClauseCalls / (long)cycles} calls)";
    }
}
