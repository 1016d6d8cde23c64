using System;
using System.Collections.Generic;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Environments;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.NativeAot;

namespace StrixOS.Benchmarks;

public static class Program
{
    /// <summary>
    /// Accepts BenchmarkDotNet's usual arguments (--filter, --job, ...). Without a --job a moderate job
    /// (3 warm-ups, 10 measured iterations, one process) keeps a full run at a few minutes on 2 cores.
    /// <c>--aot</c> runs that job twice: under the JIT and as a NativeAOT program compiled with the kernel's
    /// ILC settings (Cosmos.targets: -O, the default instruction set); <c>--aot=speed</c> adds ILC's --Ot.
    /// </summary>
    public static void Main(string[] args)
    {
        string? aot = null;
        var rest = new List<string>();
        foreach (string arg in args)
        {
            if (arg == "--aot" || arg.StartsWith("--aot=", StringComparison.Ordinal))
                aot = arg.Length > 6 ? arg[6..] : "";
            else
                rest.Add(arg);
        }

        // The median resists the noise of a machine shared with builds.
        // A NativeAOT build takes minutes on a shared 2-core machine: BenchmarkDotNet's 2-minute limit is too short.
        IConfig config = DefaultConfig.Instance.AddDiagnoser(MemoryDiagnoser.Default).AddColumn(StatisticColumn.Median)
            .WithBuildTimeout(TimeSpan.FromMinutes(30));
        if (!NamesAJob(rest))
        {
            Job job = Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10);
            config = config.AddJob(job.WithId(aot == null ? "StrixDefault" : "JIT"));
            if (aot != null)
                config = config.AddJob(job.WithRuntime(NativeAotRuntime.Net10_0).WithToolchain(KernelIlcToolchain(aot)).WithId(aot == "" ? "NativeAOT" : "NativeAOT-" + aot));
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest.ToArray(), config);
    }

    /// <summary>The SDK's ILCompiler with the kernel's code-generation settings: ILC -O (blended, no
    /// OptimizationPreference) and no instruction-set option, unless <paramref name="preference"/> names one.</summary>
    private static BenchmarkDotNet.Toolchains.IToolchain KernelIlcToolchain(string preference)
        => NativeAotToolchain.CreateBuilder()
            .UseNuGet("", "https://api.nuget.org/v3/index.json")
            .IlcOptimizationPreference(preference == "speed" ? "Speed" : "")
            .IlcInstructionSet("")
            .TargetFrameworkMoniker("net10.0")
            .DisplayName(preference == "" ? "NativeAOT (kernel ILC settings)" : "NativeAOT " + preference)
            .ToToolchain();

    private static bool NamesAJob(List<string> args)
    {
        foreach (string arg in args)
        {
            if (arg == "--job" || arg == "-j" || arg.StartsWith("--job=", StringComparison.Ordinal))
                return true;
        }
        return false;
    }
}
