using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using StrixOS.Tests.Runner;
using StrixOS.Tools;
using Xunit;
using Xunit.Abstractions;

namespace StrixOS.Tests.Compatibility;

/// <summary>
/// The compatibility table of docs/runtime.md (issue 14): every row comes from a test that ran, and the
/// document matches what this run's in-kernel results generate (`./strix compat-table` rewrites it).
/// </summary>
public sealed class CompatibilityTableTests(ITestOutputHelper output)
{
    private static string Root => RepositoryLayout.FindRoot() ?? throw new InvalidOperationException("no StrixOS.sln above the test assembly");

    private static SortedDictionary<string, Dictionary<string, string>> Results(params (string Test, string Machine, string Outcome)[] rows)
    {
        var results = new SortedDictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach ((string test, string machine, string outcome) in rows)
        {
            if (!results.TryGetValue(test, out Dictionary<string, string>? byMachine))
                results[test] = byMachine = new Dictionary<string, string>(StringComparer.Ordinal);
            byMachine[machine] = outcome;
        }
        return results;
    }

    [Fact]
    public void AByDesignRowWhoseTestDidNotRunIsAProblem()
    {
        var rows = new List<CompatibilityTable.ByDesignRow>
        {
            new("Files.Refused", "`File.Delete`", "`IOException`"),
            new("Files.NeverRan", "`File.Move`", "`IOException`"),
            new("Scratch.Elsewhere", "`X`", "`Y`"),
        };
        var results = Results(("Files.Refused", "128M-qemu64", "pass"), ("Files.NeverRan", "128M-qemu64", "not run"));
        List<string> problems = CompatibilityTable.Problems(results, rows);
        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.Contains("Files.NeverRan did not run", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Scratch.Elsewhere is not in a compatibility suite", StringComparison.Ordinal));
    }

    [Fact]
    public void ATableIsStaleWhenAResultOrATestChangesButNotWhenOnlyTheMachinesDo()
    {
        var rows = new List<CompatibilityTable.ByDesignRow> { new("Files.Refused", "`File.Delete`", "`IOException`") };
        var checks = new Dictionary<string, int> { ["Files.Refused"] = 2, ["Math.Sines"] = 3 };
        string tenMachines = CompatibilityTable.Render(
            Results(("Files.Refused", "1G-max", "pass"), ("Files.Refused", "32M-qemu64", "pass"), ("Math.Sines", "1G-max", "pass")), checks, rows, "2026-12-01");
        string twoMachines = CompatibilityTable.Render(
            Results(("Files.Refused", "4G-max", "pass"), ("Math.Sines", "4G-max", "pass")), checks, rows, "2026-12-02");
        Assert.Empty(CompatibilityTable.Differences(tenMachines, twoMachines));

        string failing = CompatibilityTable.Render(
            Results(("Files.Refused", "4G-max", "fail: expected IOException"), ("Math.Sines", "4G-max", "pass")), checks, rows, "2026-12-02");
        Assert.Contains(CompatibilityTable.Differences(tenMachines, failing), d => d.StartsWith("+ | `File.Delete`", StringComparison.Ordinal));

        checks["Math.Sines"] = 4;
        string moreChecks = CompatibilityTable.Render(
            Results(("Files.Refused", "4G-max", "pass"), ("Math.Sines", "4G-max", "pass")), checks, rows, "2026-12-02");
        Assert.Contains(CompatibilityTable.Differences(tenMachines, moreChecks), d => d == "+ | math | `Math.Sines` | 4 | works |");
    }

    [Fact]
    public void TheMarkedByDesignRowsAreReadFromTheKernelTests()
    {
        List<CompatibilityTable.ByDesignRow> rows = CompatibilityTable.ReadByDesign(Path.Combine(Root, "StrixOS", "KernelTests"));
        Assert.Contains(rows, r => r.Test == "FileWrites.FileEncryptionIsNotSupported" && r.Behaviour.Contains("PlatformNotSupportedException", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Test == "Platform.NativeLibrariesCannotBeLoaded" && r.Api.Contains("NativeLibrary.Load", StringComparison.Ordinal));
        Assert.All(rows, r => Assert.Contains(CompatibilityTable.Suites, s => r.Test.StartsWith(s.Suite + ".", StringComparison.Ordinal)));
    }

    /// <summary>
    /// docs/runtime.md against this run's in-kernel results (the boots InKernelTests shares). With a
    /// test filter only the rows of the tests that ran are compared.
    /// </summary>
    [Fact]
    public void RuntimeDocumentTableMatchesThisRun()
    {
        var results = CompatibilityTable.FromRuns(KernelRunCache.All);
        Assert.True(results.Count > 0, "no in-kernel results: " + string.Join("; ", KernelRunCache.All.Select(r => r.Message)));
        string kernelTests = Path.Combine(Root, "StrixOS", "KernelTests");
        List<CompatibilityTable.ByDesignRow> byDesign = CompatibilityTable.ReadByDesign(kernelTests);
        string table = CompatibilityTable.Render(results, CompatibilityTable.CountChecks(kernelTests), byDesign, "today");
        string? document = CompatibilityTable.Generated(File.ReadAllText(Path.Combine(Root, "docs", "runtime.md")));
        Assert.True(document is not null, "docs/runtime.md lacks the compat-table markers");
        List<string> differences = CompatibilityTable.Differences(document!, table);
        if (KernelTestMatrix.FilterFromEnvironment().Length > 0)
        {
            // A filtered run: only rows of tests that ran can be judged.
            differences = differences.Where(d => d.StartsWith("+ |", StringComparison.Ordinal)
                || (d.StartsWith("- |", StringComparison.Ordinal) && results.Keys.Any(t => d.Contains($"`{t}`", StringComparison.Ordinal)))).ToList();
        }
        else
        {
            Assert.Empty(CompatibilityTable.Problems(results, byDesign));
        }
        foreach (string line in differences)
            output.WriteLine(line);
        Assert.True(differences.Count == 0,
            $"docs/runtime.md's compatibility table is stale: run ./strix compat-table after ./strix test. Differences:\n{string.Join("\n", differences)}");
    }
}
