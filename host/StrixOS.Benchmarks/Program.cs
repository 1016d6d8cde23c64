using System;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace StrixOS.Benchmarks;

public static class Program
{
    /// <summary>
    /// Accepts BenchmarkDotNet's usual arguments (--filter, --job, ...). Without a --job a moderate job
    /// (3 warm-ups, 10 measured iterations, one process) keeps a full run at a few minutes on 2 cores.
    /// </summary>
    public static void Main(string[] args)
    {
        // The median resists the noise of a machine shared with builds.
        IConfig config = DefaultConfig.Instance.AddDiagnoser(MemoryDiagnoser.Default).AddColumn(StatisticColumn.Median);
        if (!NamesAJob(args))
            config = config.AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10).WithId("StrixDefault"));
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
    }

    private static bool NamesAJob(string[] args)
    {
        foreach (string arg in args)
        {
            if (arg == "--job" || arg == "-j" || arg.StartsWith("--job=", StringComparison.Ordinal))
                return true;
        }
        return false;
    }
}
