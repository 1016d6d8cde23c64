using System;
using System.Diagnostics;
using StrixOS.Memory;

namespace StrixOS.Benchmarks;

/// <summary>
/// The mapper workloads (<see cref="MapperWorkloads"/>) inside the kernel, command line <c>bench=memory</c>
/// (`./strix bench kernel`): page tables in real physical memory reached through the offset map, a level-4
/// table that is never loaded into CR3, the kernel's own invlpg, timed with the TSC through Stopwatch.
/// </summary>
public static class MapperBenchmark
{
    public const int DefaultRuns = 101;
    private const int WarmUpRuns = 5;

    /// <summary>One line per workload: "mapper op=NAME runs=N ns-per-call=MEDIAN min=MIN".</summary>
    public static string[] Run(ulong physicalMemoryOffset, IPagingHardware hardware, IFrameAllocator frames, int runs = DefaultRuns)
    {
        if (!frames.AllocateFrame().TryGetValue(out PhysFrame level4))
            return ["mapper error: no frame for the level-4 table"];
        var mapper = new OffsetPageTable(level4, physicalMemoryOffset, hardware);
        mapper.Level4Table.Zero();
        var workloads = new MapperWorkloads(mapper, frames);

        var lines = new string[MapperWorkloads.Names.Length];
        var samples = new double[runs];
        for (int w = 0; w < lines.Length; w++)
        {
            for (int i = 0; i < WarmUpRuns; i++)
                _ = workloads.Run(w);
            for (int i = 0; i < runs; i++)
            {
                long start = Stopwatch.GetTimestamp();
                _ = workloads.Run(w);
                long elapsed = Stopwatch.GetTimestamp() - start;
                samples[i] = elapsed * 1e9 / Stopwatch.Frequency / MapperWorkloads.OperationsPerWorkload;
            }
            Array.Sort(samples);
            lines[w] = $"mapper op={MapperWorkloads.Names[w].Replace(' ', '-')} runs={runs} ns-per-call={samples[runs / 2]:F1} min={samples[0]:F1}";
        }
        return lines;
    }
}
