using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace StrixOS.Tests.Runner;

/// <summary>
/// A kernel's [KernelTest]s as xunit test cases: one row per machine and kernel test, passing,
/// failing (with the kernel's message, file and line) or skipped as in the kernel; plus one check per
/// machine that the run ended cleanly (no hang, panic, triple fault, unexpected fault or garbled
/// output). The kernel boots once per machine per test process, when xunit lists the rows
/// (<see cref="KernelRunCache"/>); machines come from STRIX_MATRIX. A missing QEMU or image fails
/// these tests with what to do about it.
/// xunit runs test methods of the test assembly's own classes, so a test project derives one class
/// from this: a strixos-test project gets it generated (build/StrixOS.TestEngine.targets, class
/// KernelTests), StrixOS.Tests declares InKernelTests.
/// </summary>
public abstract class KernelTestCases(ITestOutputHelper output)
{
    public static TheoryData<string, string> Tests()
    {
        var data = new TheoryData<string, string>();
        foreach (object[] row in InKernelTestData.Tests())
            data.Add((string)row[0], (string)row[1]);
        return data;
    }

    public static TheoryData<string> Machines()
    {
        var data = new TheoryData<string>();
        foreach (object[] row in InKernelTestData.Configurations())
            data.Add((string)row[0]);
        return data;
    }

    [KernelTheory]
    [MemberData(nameof(Tests))]
    public void InKernel(string machine, string test)
    {
        RunResult run = RunOf(machine);
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
                Assert.Fail($"{test} [{machine}] {result.Message}");
                break;
            default:
                string where = result.Location.Length > 0 ? $" at {result.Location}" : "";
                string more = result.FailedAssertions > 1 ? $" ({result.FailedAssertions} assertions failed; the first is shown)" : "";
                Assert.Fail($"{test} failed in the kernel [{machine}]{where}: {result.Message}{more}");
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Machines))]
    public void KernelRunEndsCleanly(string machine)
    {
        RunResult run = RunOf(machine);
        output.WriteLine(ConsoleSummary.Format(run));
        if (KernelRunCache.ReportProblems.TryGetValue(machine, out string? reportProblem))
            output.WriteLine(reportProblem);
        Assert.True(run.EndedCleanly, ConsoleSummary.Format(run));
    }

    private static RunResult RunOf(string machine)
    {
        RunResult? run = KernelRunCache.For(machine);
        Assert.True(run is not null, $"no kernel run for machine {machine} "
            + $"(configured: {string.Join(", ", KernelRunCache.Configurations.Select(c => c.Name))}; STRIX_MATRIX changed between discovery and run?)");
        return run!;
    }
}
