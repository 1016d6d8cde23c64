using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace StrixOS.Tests.Runner;

/// <summary>
/// The in-kernel tests as xunit tests: one row per configuration and kernel test, each passing or
/// failing with the kernel's own message, file and line; plus one check per configuration that the
/// run ended cleanly (no hang, panic, triple fault, unexpected fault or garbled output). A missing
/// QEMU or kernel image fails these tests with what to do about it.
/// </summary>
public sealed class InKernelTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> Tests()
    {
        var data = new TheoryData<string, string>();
        foreach (object[] row in InKernelTestData.Tests())
            data.Add((string)row[0], (string)row[1]);
        return data;
    }

    public static TheoryData<string> Configurations()
    {
        var data = new TheoryData<string>();
        foreach (object[] row in InKernelTestData.Configurations())
            data.Add((string)row[0]);
        return data;
    }

    [KernelTheory]
    [MemberData(nameof(Tests))]
    public void InKernel(string configuration, string test)
    {
        RunResult run = RunOf(configuration);
        if (test == InKernelTestData.NoTestsRow)
            Assert.Fail($"the kernel reported no tests: {run.Message}");
        KernelTestResult? result = run.Find(test);
        if (result is null)
        {
            Assert.Fail($"{test} was not among the kernel's tests in this run ({run.Message})");
            return;
        }
        switch (result.Status)
        {
            case KernelTestStatus.Passed:
                if (result.Message.Length > 0)
                    output.WriteLine(result.Message);
                break;
            case KernelTestStatus.Skipped:
                output.WriteLine($"skipped in the kernel: {result.Message}");
                break;
            case KernelTestStatus.NotRun:
                Assert.Fail($"{test} [{configuration}] {result.Message}");
                break;
            default:
                string where = result.Location.Length > 0 ? $" at {result.Location}" : "";
                string more = result.FailedAssertions > 1 ? $" ({result.FailedAssertions} assertions failed; the first is shown)" : "";
                Assert.Fail($"{test} failed in the kernel [{configuration}]{where}: {result.Message}{more}");
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void KernelRunEndsCleanly(string configuration)
    {
        RunResult run = RunOf(configuration);
        output.WriteLine(ConsoleSummary.Format(run));
        if (KernelRunCache.ReportProblems.TryGetValue(configuration, out string? reportProblem))
            output.WriteLine(reportProblem);
        Assert.True(run.EndedCleanly, ConsoleSummary.Format(run));
    }

    private static RunResult RunOf(string configuration)
    {
        RunResult? run = KernelRunCache.For(configuration);
        Assert.True(run is not null, $"no kernel run for configuration {configuration} "
            + $"(configured: {string.Join(", ", KernelRunCache.Configurations.Select(c => c.Name))}; STRIX_MATRIX changed between discovery and run?)");
        return run!;
    }
}
