using StrixOS.Tests.Runner;
using Xunit;
using Xunit.Abstractions;

namespace MyOS.Tests;

/// <summary>
/// The kernel's [KernelTest]s as xunit tests: one row per machine and test, passing, failing (with
/// the kernel's message, file and line) or skipped as in the kernel; plus one check per machine that
/// the boot ended cleanly (no hang, panic, triple fault or garbled output). The kernel boots once
/// per machine, when xunit lists the rows. Machines: STRIX_MATRIX (docs/testing.md in StrixOS).
/// </summary>
public sealed class KernelTests(ITestOutputHelper output)
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
        RunResult run = Assert.IsType<RunResult>(KernelRunCache.For(machine));
        Assert.False(test == InKernelTestData.NoTestsRow, $"the kernel reported no tests: {run.Message}");
        KernelTestResult? result = run.Find(test);
        Assert.True(result is not null, $"{test} was not among the kernel's tests ({run.Message})");
        if (result!.Status == KernelTestStatus.Passed || result.Status == KernelTestStatus.Skipped)
        {
            output.WriteLine(result.Message);
            return;
        }
        string where = result.Location.Length > 0 ? $" at {result.Location}" : "";
        Assert.Fail($"{test} failed in the kernel [{machine}]{where}: {result.Message}");
    }

    [Theory]
    [MemberData(nameof(Machines))]
    public void KernelRunEndsCleanly(string machine)
    {
        RunResult run = Assert.IsType<RunResult>(KernelRunCache.For(machine));
        output.WriteLine(ConsoleSummary.Format(run));
        Assert.True(run.EndedCleanly, ConsoleSummary.Format(run));
    }
}
