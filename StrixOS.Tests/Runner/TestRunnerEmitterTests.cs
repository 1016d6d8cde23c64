using System.Linq;
using StrixOS.Cpu;
using StrixOS.Testing;
using Xunit;

namespace StrixOS.Tests.Runner;

/// <summary>The kernel-side runner on the host, its output read back by the host-side interpreter.</summary>
public sealed class TestRunnerEmitterTests
{
    [Fact]
    public void MixedSuitesRoundTripThroughTheProtocol()
    {
        SimulatedKernel.Boot boot = SimulatedKernel.Run(SampleSuites.Mixed, "test");
        Assert.Equal(BootExit.KernelFailureStatus, boot.ExitStatus);
        BootRecord record = Transcripts.Interpret(boot.Transcript, boot.ExitStatus);

        Assert.Equal(BootEnding.Completed, record.Ending);
        Assert.Empty(record.Problems);
        Assert.Equal(4, record.Hello!.Selected);
        Assert.Equal(["Alpha.Passes", "Alpha.FailsEqual", "Alpha.Skips", "Beta.PassesToo"], record.Plan.Select(p => p.Name));
        Assert.Equal([TestOutcome.Passed, TestOutcome.Failed, TestOutcome.Skipped, TestOutcome.Passed], record.Results.Select(r => r.Outcome));
        TestObservation failed = record.Results[1];
        Assert.Equal("Equal failed for 4097ul: expected 4096 (0x1000), actual 4097 (0x1001)", failed.Message);
        Assert.EndsWith("SampleSuites.cs", failed.File);
        Assert.Equal(SampleSuites.FailingLine, failed.Line);
        Assert.Equal("needs a NIC", record.Results[2].Message);
        Assert.False(record.End!.Success);
    }

    [Fact]
    public void TranscriptMatchesTheDocumentedSample()
    {
        string[] lines = SimulatedKernel.Run(SampleSuites.Mixed, "test").Transcript.Split('\n');
        Assert.Equal(
        [
            "StrixOS booting (simulated)",
            "##strix hello protocol=1 registered=4 selected=4 from=0 rejected=0 filter=\"*\"",
            "##strix plan 0 Alpha.Passes",
            "##strix plan 1 Alpha.FailsEqual",
            "##strix plan 2 Alpha.Skips",
            "##strix plan 3 Beta.PassesToo",
            "##strix suite Alpha tests=3",
            "##strix test 0 Alpha.Passes",
            "##strix pass 0 Alpha.Passes",
            "##strix test 1 Alpha.FailsEqual",
        ], lines[..10]);
        Assert.StartsWith("##strix fail 1 Alpha.FailsEqual file=\"", lines[10]);
        Assert.EndsWith($"SampleSuites.cs\" line={SampleSuites.FailingLine} assertions-failed=1 message=\"Equal failed for 4097ul: expected 4096 (0x1000), actual 4097 (0x1001)\"", lines[10]);
        Assert.Equal(
        [
            "##strix test 2 Alpha.Skips",
            "##strix skip 2 Alpha.Skips reason=\"needs a NIC\"",
            "##strix suite-end Alpha passed=1 failed=1 skipped=1",
            "##strix suite Beta tests=1",
            "##strix test 3 Beta.PassesToo",
            "##strix pass 3 Beta.PassesToo",
            "##strix suite-end Beta passed=1 failed=0 skipped=0",
            "##strix end passed=2 failed=1 skipped=1 rejected=0 result=fail",
        ], lines[11..19]);
    }

    [Fact]
    public void UncaughtExceptionFailsItsTestWithTypeMessageAndStackAndTheRunGoesOn()
    {
        SimulatedKernel.Boot boot = SimulatedKernel.Run(SampleSuites.Throwing, "test");
        Assert.Equal(BootExit.KernelFailureStatus, boot.ExitStatus);
        BootRecord record = Transcripts.Interpret(boot.Transcript, boot.ExitStatus);

        Assert.Equal(BootEnding.Completed, record.Ending);
        Assert.Empty(record.Problems);
        Assert.Equal([TestOutcome.Passed, TestOutcome.Failed, TestOutcome.Passed], record.Results.Select(r => r.Outcome));
        TestObservation failed = record.Results[1];
        Assert.Equal("Crash.Throws", failed.Name);
        Assert.StartsWith("unhandled exception System.InvalidOperationException: thrown on purpose\n ---> System.FormatException: the inner one\n", failed.Message);
        Assert.Contains("ThrowDeeper", failed.Message);
        Assert.Contains("ThrowsUncaught", failed.Message);
        Assert.EndsWith("SampleSuites.cs", failed.File);
        Assert.Equal("Crash.AfterThrow", record.Results[2].Name);
    }

    [Fact]
    public void AllPassingRunExitsWithSuccess()
    {
        SimulatedKernel.Boot boot = SimulatedKernel.Run(SampleSuites.AllPassing, "test");
        Assert.Equal(BootExit.KernelSuccessStatus, boot.ExitStatus);
        BootRecord record = Transcripts.Interpret(boot.Transcript, boot.ExitStatus);
        Assert.Equal(BootEnding.Completed, record.Ending);
        Assert.True(record.End!.Success);
    }

    [Fact]
    public void FilterAndFromSelectTests()
    {
        BootRecord filtered = Transcripts.Simulate(SampleSuites.Mixed, "test=*.Pass*");
        Assert.Equal(BootEnding.Completed, filtered.Ending);
        Assert.Equal(["Alpha.Passes", "Beta.PassesToo"], filtered.Results.Select(r => r.Name));
        Assert.Equal([0, 3], filtered.Results.Select(r => r.Index));

        BootRecord resumed = Transcripts.Simulate(SampleSuites.Mixed, "test test-from=2", from: 2);
        Assert.Equal(BootEnding.Completed, resumed.Ending);
        Assert.Empty(resumed.Problems);
        Assert.Equal(["Alpha.Skips", "Beta.PassesToo"], resumed.Results.Select(r => r.Name));
    }

    [Fact]
    public void ExpectedFaultTestThatReturnsFailsInTheKernel()
    {
        BootRecord record = Transcripts.Simulate(SampleSuites.ExpectedFaults, "test test-from=4", from: 4);
        Assert.Equal(BootEnding.Completed, record.Ending);
        TestObservation noFault = record.Results.Single(r => r.Name == "Faults.NoFault");
        Assert.Equal(TestOutcome.Failed, noFault.Outcome);
        Assert.Equal("expected #UD (invalid opcode, vector 6), but the test returned without a fault", noFault.Message);
        Assert.EndsWith("SampleSuites.cs", noFault.File);
    }

    [Fact]
    public void FaultDuringATestIsBlamedOnIt()
    {
        BootRecord record = Transcripts.Simulate(SampleSuites.ExpectedFaults);
        Assert.Equal(BootEnding.CpuFault, record.Ending);
        Assert.Equal("Faults.NullWrite", record.Interrupted!.Name);
        Assert.True(record.Interrupted.Expectation!.Value.IsMetBy(record.Fault!.Fault));
        Assert.Equal(SampleSuites.NullWriteFault.Rip, record.Fault.Fault.Rip);
    }

    [Fact]
    public void RejectedRegistrationsAreReportedAndFailTheRun()
    {
        SimulatedKernel.Boot boot = SimulatedKernel.Run(SampleSuites.WithRejections, "test");
        Assert.Equal(BootExit.KernelFailureStatus, boot.ExitStatus);
        BootRecord record = Transcripts.Interpret(boot.Transcript, boot.ExitStatus);
        Assert.Equal(BootEnding.Completed, record.Ending);
        Assert.Equal(["duplicate-name", "invalid-name", "invalid-name", "suite-rejected"], record.Rejected.Select(r => r.Reason));
        Assert.Equal(["One", "bad name", "", "Ignored"], record.Rejected.Select(r => r.Test));
        Assert.Equal(4, record.Hello!.Rejected);
        Assert.Single(record.Results);
    }

    [Fact]
    public void RegistrationErrorsAreValues()
    {
        var registry = new TestRegistry();
        TestSuite suite = registry.AddSuite("S");
        unsafe
        {
            Assert.Equal(TestRegistration.Added, suite.Add("A", &Nothing));
            Assert.Equal(TestRegistration.DuplicateName, suite.Add("A", &Nothing));
            Assert.Equal(TestRegistration.InvalidName, suite.Add("1A", &Nothing));
            Assert.Equal(TestRegistration.MissingBody, suite.Add("B", null));
            Assert.Equal(TestRegistration.ContradictoryExpectation,
                suite.AddExpectingFault("C", &Nothing, FaultExpectation.PageFault(PageFaultErrorBits.Write, PageFaultErrorBits.Write)));
            TestSuite duplicate = registry.AddSuite("S");
            Assert.False(duplicate.IsAccepted);
            Assert.Equal(TestRegistration.SuiteRejected, duplicate.Add("D", &Nothing));
        }
        Assert.Equal(1, registry.SuiteCount);
        Assert.Equal(1, registry.TestCount);
        Assert.Equal(6, registry.RejectedCount);
    }

    [Fact]
    public void BadCommandLineIsAPanicNamingTheWord()
    {
        SimulatedKernel.Boot boot = SimulatedKernel.Run(SampleSuites.Mixed, "test-from=x");
        Assert.Equal(BootExit.KernelFailureStatus, boot.ExitStatus);
        BootRecord record = Transcripts.Interpret(boot.Transcript, boot.ExitStatus);
        Assert.Equal(BootEnding.KernelPanic, record.Ending);
        Assert.Contains("'test-from=x'", record.Panic!.Message);
    }

    [Fact]
    public void FrameworkSelfTestsPassOnTheHost()
    {
        SimulatedKernel.Boot boot = SimulatedKernel.Run(FrameworkSelfTests.Register, "test");
        BootRecord record = Transcripts.Interpret(boot.Transcript, boot.ExitStatus);
        Assert.Equal(BootEnding.Completed, record.Ending);
        Assert.All(record.Results, r => Assert.True(r.Outcome == TestOutcome.Passed, $"{r.Name}: {r.Message} at {r.File}:{r.Line}"));
        Assert.Equal(7, record.Results.Count);
        Assert.Equal(BootExit.KernelSuccessStatus, boot.ExitStatus);
    }

    private static void Nothing(TestContext t)
    {
    }
}
