using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using StrixOS.Tests.Runner;
using Xunit;
using Xunit.Abstractions;

namespace StrixOS.Tests.Deploy;

/// <summary>
/// The deployment matrix (issue 7): the in-kernel suite passes on BIOS and UEFI, from the ISO as CD
/// and as disk, and over the network from the Deployment=PXE TFTP root, each with 128M and 4G; and
/// the memory map each boot printed adds up to QEMU's RAM less the firmware's reservation. A missing
/// QEMU, OVMF, ISO or TFTP root fails these tests with what to install or build.
/// </summary>
public sealed class DeployBootTests(ITestOutputHelper output)
{
    public static TheoryData<string> Targets()
    {
        var data = new TheoryData<string>();
        foreach (DeployTarget target in DeployTarget.All)
            data.Add(target.Label);
        return data;
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void InKernelSuitePasses(string label)
    {
        RunResult run = RunOf(label);
        foreach (BootRecord boot in run.Boots)
            output.WriteLine($"boot {boot.Number} ({boot.CommandLine}): {boot.Ending}, exit {boot.Exit.ExitStatus?.ToString() ?? "none"}, {boot.Duration.TotalSeconds:0.0} s");
        Assert.True(run.Verdict == RunVerdict.AllPassed, ConsoleSummary.Format(run));
        Assert.True(run.Count(KernelTestStatus.Passed) > 0, $"{label}: the kernel ran no test that passed: {run.Message}");
        BootExit last = run.Boots[^1].Exit;
        Assert.True(last.ExitStatus == BootExit.KernelSuccessStatus,
            $"{label}: the last boot ended with QEMU exit status {last.ExitStatus?.ToString() ?? "none (killed)"}, not {BootExit.KernelSuccessStatus} (success)");
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void MemoryMapAddsUp(string label)
    {
        RunResult run = RunOf(label);
        Assert.True(run.Boots.Count > 0, $"{label}: QEMU never booted: {run.Message}");
        DeployTarget target = TargetOf(label);
        (BootMemoryReport? report, string? problem) = BootMemoryReport.Parse(run.Boots[0].Transcript);
        Assert.True(report is not null, $"{label}: {problem}\n--- serial output of the first boot ---\n{Tail(run.Boots[0].Transcript)}");
        ulong installed = BootMemoryReport.QemuMemoryBytes(target.Memory);
        output.WriteLine($"{report!.Banner}");
        output.WriteLine($"{report.Source}: {report.Regions.Count} regions, RAM in the map {report.RamBytes} bytes "
            + $"(-m {target.Memory} = {installed}; firmware keeps {BootMemoryReport.Kib(installed - report.RamBytes)}), usable {report.UsableBytes}");
        foreach (ReportedRegion region in report.Regions)
            output.WriteLine($"  0x{region.Start:x16}-0x{region.End:x16} {region.Type}");
        var problems = MemoryMapCheck.Problems(report, target.Firmware, target.Medium, target.Memory);
        Assert.True(problems.Count == 0, $"{label}: the memory map is not sane:\n  " + string.Join("\n  ", problems));
    }

    /// <summary>
    /// The early heap (EARLY_HEAP_SIZE in boot.asm, in the image's BSS and so in the 2 MiB region the start-up's frames
    /// come from) serves CoreLib's start-up and the boot until the kernel heap exists, and the allocations nested in
    /// the kernel heap's own work after that. Sized for about twice the most a run of the test image uses (97 KiB of
    /// 256 under OVMF at 12G, docs/benchmarks.md): a run that needs more than half of it asks for a larger one.
    /// </summary>
    [Theory]
    [MemberData(nameof(Targets))]
    public void TheEarlyHeapKeepsHalfItsSizeFree(string label)
    {
        RunResult run = RunOf(label);
        Assert.True(run.Boots.Count > 0, $"{label}: QEMU never booted: {run.Message}");
        Match use = Regex.Match(run.Boots[^1].Transcript, @"early heap: (\d+) of (\d+) bytes used at the end of the run");
        Assert.True(use.Success, $"{label}: the last boot did not report the early heap's use\n{Tail(run.Boots[^1].Transcript)}");
        ulong used = ulong.Parse(use.Groups[1].Value, CultureInfo.InvariantCulture);
        ulong size = ulong.Parse(use.Groups[2].Value, CultureInfo.InvariantCulture);
        output.WriteLine($"{label}: early heap {used} of {size} bytes used");
        Assert.True(used <= size / 2, $"{label}: the run used {used} bytes of the early heap's {size}: more than half (raise EARLY_HEAP_SIZE in boot.asm)");
    }

    private static DeployTarget TargetOf(string label) => DeployTarget.All.First(t => t.Label == label);

    private static RunResult RunOf(string label)
    {
        DeployRunCache.Outcome outcome = DeployRunCache.For(TargetOf(label));
        Assert.True(outcome.MissingPrerequisites.Count == 0, $"{label} cannot boot: " + string.Join("; ", outcome.MissingPrerequisites));
        return outcome.Run!;
    }

    private static string Tail(string transcript) => transcript.Length <= 3000 ? transcript : "..." + transcript[^3000..];
}
