using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using StrixOS.Testing;
using Xunit;

namespace StrixOS.Tests.Runner;

/// <summary>The whole engine against fake QEMU executables: every verdict, resuming, and the process handling.</summary>
public sealed class KernelTestEngineTests : IDisposable
{
    private readonly FakeQemu _qemu = new();

    public void Dispose() => _qemu.Dispose();

    [Fact]
    public void AllPassingKernel()
    {
        _qemu.WithSimulatedKernel(SampleSuites.AllPassing);
        RunResult run = KernelTestEngine.Run(_qemu.Configuration(), _qemu.ImagePath);
        Assert.Equal(RunVerdict.AllPassed, run.Verdict);
        Assert.True(run.EndedCleanly);
        Assert.Equal(["Good.One", "Good.Two", "Good.Three"], run.Tests.Select(t => t.FullName));
        Assert.Equal([KernelTestStatus.Passed, KernelTestStatus.Passed, KernelTestStatus.Skipped], run.Tests.Select(t => t.Status));
        Assert.Single(run.Boots);
        Assert.Empty(run.Problems);
    }

    [Fact]
    public void FailingAssertionNamesTestFileAndLine()
    {
        _qemu.WithSimulatedKernel(SampleSuites.Mixed);
        RunResult run = KernelTestEngine.Run(_qemu.Configuration(), _qemu.ImagePath);
        Assert.Equal(RunVerdict.SomeFailed, run.Verdict);
        Assert.True(run.EndedCleanly);
        KernelTestResult failed = Assert.Single(run.Tests, t => t.Status == KernelTestStatus.Failed);
        Assert.Equal("Alpha.FailsEqual", failed.FullName);
        Assert.EndsWith($"SampleSuites.cs:{SampleSuites.FailingLine}", failed.Location);
        Assert.Contains("Alpha.FailsEqual", run.Message);
        Assert.Contains($"FAIL Alpha.FailsEqual at {failed.Location}: Equal failed", ConsoleSummary.Format(run));
    }

    [Fact]
    public void ArgumentsCarryTheMachineAndTheCommandLine()
    {
        _qemu.WithSimulatedKernel(SampleSuites.AllPassing, "test=Good.*");
        QemuConfiguration configuration = _qemu.Configuration() with { Memory = "4G", CpuModel = "max" };
        RunResult run = KernelTestEngine.Run(configuration, _qemu.ImagePath, filter: "Good.*");
        Assert.Equal(RunVerdict.AllPassed, run.Verdict);
        string invocation = Assert.Single(_qemu.Invocations());
        Assert.Contains("-m 4G -cpu max", invocation);
        Assert.Contains("-serial stdio", invocation);
        Assert.Contains("-no-reboot", invocation);
        Assert.Contains("isa-debug-exit,iobase=0xf4,iosize=0x04", invocation);
        Assert.Contains("name=opt/strix/cmdline,string=test=Good.*", invocation);
        Assert.Contains($"file={_qemu.ImagePath},format=raw,media=cdrom", invocation);
    }

    [Fact]
    public void ExpectedFaultsPassAndTheRunResumesAfterEach()
    {
        _qemu.WithSimulatedKernel(SampleSuites.ExpectedFaults);
        RunResult run = KernelTestEngine.Run(_qemu.Configuration(), _qemu.ImagePath);

        // Boot 1 ends in NullWrite's expected #PF, boot 2 (test-from=2) in WrongFault's #GP, boot 3 (test-from=4) completes.
        Assert.Equal(["test", "test test-from=2", "test test-from=4"], run.Boots.Select(b => b.CommandLine));
        Assert.Equal(RunVerdict.SomeFailed, run.Verdict);
        Assert.True(run.EndedCleanly);
        Assert.Null(run.UnexpectedFault);
        Assert.Equal(
            [KernelTestStatus.Passed, KernelTestStatus.Passed, KernelTestStatus.Passed, KernelTestStatus.Failed, KernelTestStatus.Failed, KernelTestStatus.Passed],
            run.Tests.Select(t => t.Status));
        KernelTestResult nullWrite = run.Tests[1];
        Assert.StartsWith("ended in the expected fault: ##strix fault vector=14", nullWrite.Message);
        Assert.NotEmpty(nullWrite.FaultLine);
        KernelTestResult wrongFault = run.Tests[3];
        Assert.StartsWith("expected #PF (page fault, vector 14), but got #GP (general protection, vector 13)", wrongFault.Message);
        Assert.Contains("returned without a fault", run.Tests[4].Message);
        Assert.Equal(3, run.Tests[5].Boot);
    }

    [Fact]
    public void UnexpectedFaultIsACpuFaultAndLaterTestsStillRun()
    {
        _qemu.WithSimulatedKernel(SampleSuites.UnexpectedFault);
        RunResult run = KernelTestEngine.Run(_qemu.Configuration(), _qemu.ImagePath);
        Assert.Equal(RunVerdict.CpuFault, run.Verdict);
        Assert.False(run.EndedCleanly);
        Assert.Equal(14, run.UnexpectedFault!.Fault.Vector);
        Assert.Equal([KernelTestStatus.Passed, KernelTestStatus.Failed, KernelTestStatus.Passed], run.Tests.Select(t => t.Status));
        Assert.Contains("CPU fault #PF (page fault) during test Crash.Faults", run.Tests[1].Message);
        Assert.Contains("CPU fault", run.Message);
    }

    [Fact]
    public void PanicIsReportedWithItsMessage()
    {
        _qemu.WithSimulatedKernel(SampleSuites.Panicking);
        RunResult run = KernelTestEngine.Run(_qemu.Configuration(), _qemu.ImagePath);
        Assert.Equal(RunVerdict.KernelPanic, run.Verdict);
        Assert.Equal("heap exhausted: request of 64 bytes, 0 bytes free", run.PanicMessage);
        Assert.Equal([KernelTestStatus.Passed, KernelTestStatus.Failed, KernelTestStatus.Passed], run.Tests.Select(t => t.Status));
        Assert.Contains("heap exhausted", run.Message);
    }

    [Fact]
    public void PanicAtBootLeavesNoTestsButAClearMessage()
    {
        _qemu.OnBoot(0, "StrixOS booting\n##strix panic message=\"no multiboot2 information\"\n", 35);
        RunResult run = KernelTestEngine.Run(_qemu.Configuration(), _qemu.ImagePath);
        Assert.Equal(RunVerdict.KernelPanic, run.Verdict);
        Assert.Empty(run.Tests);
        Assert.Single(run.Boots);
        Assert.Contains("no multiboot2 information", run.Message);
    }

    [Fact]
    public void TripleFaultIsNamed()
    {
        _qemu.WithSimulatedKernel(SampleSuites.Resetting);
        RunResult run = KernelTestEngine.Run(_qemu.Configuration(), _qemu.ImagePath);
        Assert.Equal(RunVerdict.TripleFaultOrReset, run.Verdict);
        Assert.Equal(KernelTestStatus.Failed, run.Tests[1].Status);
        Assert.Contains("status 0 during test Crash.Resets", run.Tests[1].Message);
        Assert.Equal(KernelTestStatus.Passed, run.Tests[2].Status);
    }

    [Fact]
    public void HangIsKilledWithItsChildrenWithinTheTimeout()
    {
        SimulatedKernel.Boot boot = SimulatedKernel.Run(SampleSuites.AllPassing, "test");
        string upToSecondTest = boot.Transcript[..(boot.Transcript.IndexOf("##strix pass 1", StringComparison.Ordinal))];
        _qemu.OnBootHang(0, upToSecondTest).OnBoot(2, SimulatedKernel.Run(SampleSuites.AllPassing, "test test-from=2").Transcript, 33);
        var clock = Stopwatch.StartNew();
        RunResult run = KernelTestEngine.Run(_qemu.Configuration(timeoutSeconds: 1.5), _qemu.ImagePath);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");

        Assert.Equal(RunVerdict.Hang, run.Verdict);
        Assert.True(run.Boots[0].Exit.TimedOut);
        Assert.Equal(KernelTestStatus.Failed, run.Tests[1].Status);
        Assert.Contains("did not finish within 1.5 s during test Good.Two", run.Tests[1].Message);
        Assert.Equal(KernelTestStatus.Skipped, run.Tests[2].Status);   // resumed after the hung test
        AssertProcessGone(int.Parse(File.ReadAllText(_qemu.ChildPidFile).Trim()));
    }

    [Fact]
    public void GarbageIsGarbled()
    {
        var random = new Random(7);
        char[] noise = new char[3000];
        for (int i = 0; i < noise.Length; i++)
            noise[i] = (char)random.Next(32, 127);
        _qemu.OnBoot(0, new string(noise) + "\n##strix t\u00e9st 1 x\n", 35);
        RunResult run = KernelTestEngine.Run(_qemu.Configuration(), _qemu.ImagePath);
        Assert.Equal(RunVerdict.TruncatedOrGarbled, run.Verdict);
        Assert.Contains(run.Problems, p => p.Contains("malformed protocol line"));
    }

    [Fact]
    public void OutputCutShortIsTruncated()
    {
        SimulatedKernel.Boot boot = SimulatedKernel.Run(SampleSuites.AllPassing, "test");
        _qemu.OnBoot(0, boot.Transcript[..boot.Transcript.IndexOf("##strix end", StringComparison.Ordinal)], 33);
        RunResult run = KernelTestEngine.Run(_qemu.Configuration(), _qemu.ImagePath);
        Assert.Equal(RunVerdict.TruncatedOrGarbled, run.Verdict);
        Assert.False(run.EndedCleanly);
        Assert.Contains("the output stopped before the end line", run.Message);
    }

    [Fact]
    public void RestartsAfterCrashesAreLimited()
    {
        _qemu.WithSimulatedKernel(SampleSuites.AlwaysPanicking);
        RunResult run = KernelTestEngine.Run(_qemu.Configuration() with { MaxCrashRestarts = 2 }, _qemu.ImagePath);
        Assert.Equal(RunVerdict.KernelPanic, run.Verdict);
        Assert.Equal(3, run.Boots.Count);
        Assert.Equal(
            [KernelTestStatus.Failed, KernelTestStatus.Failed, KernelTestStatus.Failed, KernelTestStatus.NotRun, KernelTestStatus.NotRun],
            run.Tests.Select(t => t.Status));
        Assert.Contains("gave up after 2 restarts", run.Tests[3].Message);
    }

    [Fact]
    public void MissingQemuSaysWhatToInstall()
    {
        RunResult onPath = KernelTestEngine.Run(new QemuConfiguration { QemuPath = "strix-no-such-qemu-system-x86_64" }, _qemu.ImagePath);
        Assert.Equal(RunVerdict.QemuMissing, onPath.Verdict);
        Assert.Contains("apt-get install qemu-system-x86", onPath.Message);
        Assert.Contains("not found on PATH", onPath.Message);

        RunResult byPath = KernelTestEngine.Run(new QemuConfiguration { QemuPath = "/nonexistent/qemu-system-x86_64" }, _qemu.ImagePath);
        Assert.Equal(RunVerdict.QemuMissing, byPath.Verdict);
        Assert.False(byPath.EndedCleanly);
    }

    [Fact]
    public void QemuThatRefusesToStartIsNamed()
    {
        string script = Path.Combine(_qemu.Directory, "broken-qemu");
        File.WriteAllText(script, "#!/usr/bin/env bash\necho \"qemu-system-x86_64: -cpu max: unknown CPU model\" >&2\nexit 1\n");
        FakeQemu.MakeExecutable(script);
        RunResult run = KernelTestEngine.Run(new QemuConfiguration { QemuPath = script }, _qemu.ImagePath);
        Assert.Equal(RunVerdict.QemuFailedToStart, run.Verdict);
        Assert.Contains("unknown CPU model", run.Message);

        string notExecutable = Path.Combine(_qemu.Directory, "not-executable");
        File.WriteAllText(notExecutable, "");
        RunResult refused = KernelTestEngine.Run(new QemuConfiguration { QemuPath = notExecutable }, _qemu.ImagePath);
        Assert.Equal(RunVerdict.QemuFailedToStart, refused.Verdict);
        Assert.Contains("apt-get install qemu-system-x86", refused.Message);
    }

    [Fact]
    public void MissingImageSaysHowToBuildIt()
    {
        _qemu.WithSimulatedKernel(SampleSuites.AllPassing);
        RunResult run = KernelTestEngine.Run(_qemu.Configuration(), Path.Combine(_qemu.Directory, "absent.iso"));
        Assert.Equal(RunVerdict.ImageMissing, run.Verdict);
        Assert.Contains("./strix build", run.Message);
        Assert.Empty(_qemu.Invocations());
    }

    [Fact]
    public void RejectedRegistrationsFailTheRun()
    {
        _qemu.WithSimulatedKernel(SampleSuites.WithRejections);
        RunResult run = KernelTestEngine.Run(_qemu.Configuration(), _qemu.ImagePath);
        Assert.Equal(RunVerdict.SomeFailed, run.Verdict);
        Assert.Equal(4, run.Rejected.Count);
        Assert.Contains("registrations rejected", run.Message);
    }

    private static void AssertProcessGone(int pid)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            string stat = $"/proc/{pid}/stat";
            if (!File.Exists(stat))
                return;
            try
            {
                string[] fields = File.ReadAllText(stat).Split(' ');
                if (fields.Length > 2 && fields[2] == "Z")
                    return;   // killed, waiting to be reaped
            }
            catch (IOException)
            {
                return;
            }
            System.Threading.Thread.Sleep(50);
        }
        Assert.Fail($"the hung QEMU's child process {pid} is still alive");
    }
}
