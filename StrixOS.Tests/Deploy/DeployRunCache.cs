using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using StrixOS.Tests.Runner;

namespace StrixOS.Tests.Deploy;

/// <summary>
/// Every <see cref="DeployTarget"/> runs the in-kernel suite once per test process (the Runner's
/// engine: the <c>test</c> command line, reboots after expected faults), a few at a time; the
/// tests read the cached results. Each run's JUnit XML goes to TestResults/strix-deploy-&lt;label&gt;.xml.
/// </summary>
public static class DeployRunCache
{
    public sealed record Outcome(DeployTarget Target, QemuConfiguration Configuration, RunResult? Run, IReadOnlyList<string> MissingPrerequisites);

    private static readonly Lazy<IReadOnlyDictionary<string, Outcome>> Runs = new(RunAll, LazyThreadSafetyMode.ExecutionAndPublication);

    public static Outcome For(DeployTarget target) => Runs.Value[target.Label];

    private static IReadOnlyDictionary<string, Outcome> RunAll()
    {
        QemuConfiguration template = KernelTestMatrix.TemplateFromEnvironment();
        string filter = KernelTestMatrix.FilterFromEnvironment();
        using var slots = new SemaphoreSlim(Math.Max(1, Environment.ProcessorCount));
        Task<Outcome>[] runs = DeployTarget.All.Select(async target =>
        {
            QemuConfiguration configuration = target.Configuration(template);
            string[] missing = target.Prerequisites(configuration.QemuPath).ToArray();
            if (missing.Length > 0)
                return new Outcome(target, configuration, null, missing);
            await slots.WaitAsync().ConfigureAwait(false);
            try
            {
                RunResult run = await KernelTestEngine.RunAsync(configuration, DeployEnvironment.IsoPath, filter).ConfigureAwait(false);
                WriteReport(target, run);
                return new Outcome(target, configuration, run, missing);
            }
            finally
            {
                slots.Release();
            }
        }).ToArray();
        return Task.WhenAll(runs).GetAwaiter().GetResult().ToDictionary(o => o.Target.Label);
    }

    private static void WriteReport(DeployTarget target, RunResult run)
    {
        if (DeployEnvironment.Root is not { } root)
            return;
        try
        {
            JUnitReport.Write(run, Path.Combine(RepositoryLayout.ResultsDirectory(root), $"strix-deploy-{target.Label}.xml"));
        }
        catch (IOException)
        {
            // The verdicts are in the test results either way; the XML is a by-product.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
