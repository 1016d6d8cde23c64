using System.Collections.Generic;
using System.Linq;

namespace StrixOS.Tests.Runner;

/// <summary>
/// Test rows for an xunit binding (StrixOS.Tests InKernelTests, a strixos-test project): plain strings (configuration name, "Suite.Test"),
/// so xunit can serialise them and list every in-kernel test by name.
/// </summary>
public static class InKernelTestData
{
    /// <summary>The row of a configuration whose run reported no tests at all: it fails with the run's message.</summary>
    public const string NoTestsRow = "(no tests reported)";

    public static IEnumerable<object[]> Tests()
    {
        foreach (RunResult run in KernelRunCache.All)
        {
            if (run.Tests.Count == 0)
            {
                yield return [run.Configuration.Name, NoTestsRow];
                continue;
            }
            foreach (KernelTestResult test in run.Tests)
                yield return [run.Configuration.Name, test.FullName];
        }
    }

    public static IEnumerable<object[]> Configurations() =>
        KernelRunCache.Configurations.Select(configuration => new object[] { configuration.Name });

    /// <summary>The kernel's skip reason for a row, or null when the row should run.</summary>
    public static string? SkipReason(object[] row)
    {
        if (row is not [string configuration, string test])
            return null;
        KernelTestResult? result = KernelRunCache.For(configuration)?.Find(test);
        return result?.Status == KernelTestStatus.Skipped ? $"skipped in the kernel: {result.Message}" : null;
    }
}
