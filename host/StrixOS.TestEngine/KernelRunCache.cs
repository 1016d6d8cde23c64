using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace StrixOS.Tests.Runner;

/// <summary>
/// The kernel is booted once per configuration per test process, not once per test: the first
/// caller runs every configuration (in parallel, a few at a time), writes each run's JUnit XML
/// under TestResults/, and later callers read the cached results.
/// </summary>
public static class KernelRunCache
{
    private static readonly Lazy<IReadOnlyList<RunResult>> Runs = new(RunAll, LazyThreadSafetyMode.ExecutionAndPublication);

    public static IReadOnlyList<QemuConfiguration> Configurations { get; } = KernelTestMatrix.FromEnvironment();

    /// <summary>Problems writing the JUnit files, by configuration name.</summary>
    public static IReadOnlyDictionary<string, string> ReportProblems => ProblemsByConfiguration;
    private static readonly Dictionary<string, string> ProblemsByConfiguration = new();

    public static IReadOnlyList<RunResult> All => Runs.Value;

    public static RunResult? For(string configurationName) => All.FirstOrDefault(r => r.Configuration.Name == configurationName);

    private static IReadOnlyList<RunResult> RunAll()
    {
        string? root = RepositoryLayout.FindRoot();
        // STRIX_ISO first; then the image a kernel's own test project recorded; then this repository's kernel.
        string? recorded = KernelImage.Recorded();
        string image = recorded is not null && string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(RepositoryLayout.ImageVariable))
            ? recorded
            : RepositoryLayout.ImagePath(root);
        string filter = KernelTestMatrix.FilterFromEnvironment();
        using var slots = new SemaphoreSlim(Math.Max(1, Environment.ProcessorCount));
        Task<RunResult>[] runs = Configurations.Select(async configuration =>
        {
            await slots.WaitAsync().ConfigureAwait(false);
            try
            {
                return await KernelTestEngine.RunAsync(configuration, image, filter).ConfigureAwait(false);
            }
            finally
            {
                slots.Release();
            }
        }).ToArray();
        RunResult[] results = Task.WhenAll(runs).GetAwaiter().GetResult();
        foreach (RunResult result in results)
            WriteReport(root, result);
        return results;
    }

    private static void WriteReport(string? root, RunResult result)
    {
        // Outside this repository (a kernel's own test project) the reports go next to the test assembly.
        root ??= AppContext.BaseDirectory;
        try
        {
            JUnitReport.Write(result, RepositoryLayout.JUnitPath(root, result.Configuration));
        }
        catch (IOException e)
        {
            ProblemsByConfiguration[result.Configuration.Name] = $"JUnit XML not written: {e.Message}";
        }
        catch (UnauthorizedAccessException e)
        {
            ProblemsByConfiguration[result.Configuration.Name] = $"JUnit XML not written: {e.Message}";
        }
    }
}
