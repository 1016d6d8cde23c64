using System;
using System.Linq;
using StrixOS.Testing;
using Xunit;

namespace StrixOS.Tests.Runner;

/// <summary>Recorded and hand-made serial streams against the per-boot verdicts.</summary>
public sealed class BootTranscriptInterpreterTests
{
    // A recorded-style transcript: kernel log lines interleaved with the protocol.
    private const string Passing = """
        StrixOS 0.1.0: a C# unikernel for x86-64
        [info]  boot loader: GRUB 2.06; command line: 'test'
        ##strix hello protocol=1 registered=2 selected=2 from=0 rejected=0 filter="*"
        ##strix plan 0 Memory.A
        ##strix plan 1 Memory.B
        ##strix suite Memory tests=2
        ##strix test 0 Memory.A
        [debug] frame allocator: 31 regions
        ##strix pass 0 Memory.A
        ##strix test 1 Memory.B
        ##strix pass 1 Memory.B
        ##strix suite-end Memory passed=2 failed=0 skipped=0
        ##strix end passed=2 failed=0 skipped=0 rejected=0 result=pass
        [info]  kernel stopped; shutting down

        """;

    // In-kernel recovery: the kernel survives the expected fault and reports the test's result itself.
    private const string Recovered = """
        ##strix hello protocol=1 registered=2 selected=2 from=0 rejected=0 filter="*"
        ##strix plan 0 Faults.Null
        ##strix plan 1 Faults.After
        ##strix suite Faults tests=2
        ##strix test 0 Faults.Null expect-fault=14 expect-mnemonic=#PF expect-error-clear=0x1 expect-cr2=0x0000000000000000
        ##strix fault vector=14 mnemonic=#PF name="page fault" error=0x0 decoded="not-present read supervisor" cr2=0x0000000000000000 rip=0xffffffff80100000 rsp=0xffffffff80200000 cr3=0x0000000000102000
        !!! STRIXOS CPU FAULT: #PF page fault (vector 14)
        ##strix pass 0 Faults.Null
        ##strix test 1 Faults.After
        ##strix pass 1 Faults.After
        ##strix suite-end Faults passed=2 failed=0 skipped=0
        ##strix end passed=2 failed=0 skipped=0 rejected=0 result=pass

        """;

    [Fact]
    public void ExpectedFaultSurvivedInTheKernelCompletesTheBoot()
    {
        BootRecord record = Transcripts.Interpret(Recovered, 33);
        Assert.Equal(BootEnding.Completed, record.Ending);
        Assert.Empty(record.Problems);
        Assert.Null(record.Fault);
        Assert.Equal(2, record.Results.Count(r => r.Outcome == TestOutcome.Passed));
    }

    [Fact]
    public void KernelPassOfAFaultThatMissesTheExpectationIsAProblem()
    {
        string wrongAddress = Recovered.Replace("cr2=0x0000000000000000 rip", "cr2=0x0000000000001000 rip");
        BootRecord record = Transcripts.Interpret(wrongAddress, 33);
        Assert.Equal(BootEnding.TruncatedOrGarbled, record.Ending);
        Assert.Contains(record.Problems, p => p.Contains("its fault does not meet"));
    }

    [Fact]
    public void ResultAfterAnUnexpectedFaultIsAProblem()
    {
        string unexpected = Recovered.Replace(" expect-fault=14 expect-mnemonic=#PF expect-error-clear=0x1 expect-cr2=0x0000000000000000", "");
        BootRecord record = Transcripts.Interpret(unexpected, 33);
        Assert.Contains(record.Problems, p => p.Contains("after a CPU fault it did not expect"));
    }

    [Fact]
    public void RecordedPassingRunCompletes()
    {
        BootRecord record = Transcripts.Interpret(Passing, 33);
        Assert.Equal(BootEnding.Completed, record.Ending);
        Assert.Empty(record.Problems);
        Assert.Equal(2, record.Results.Count(r => r.Outcome == TestOutcome.Passed));
        Assert.Contains("[debug] frame allocator", record.Transcript);
    }

    [Fact]
    public void CarriageReturnsFromTheSerialPortAreTolerated()
    {
        BootRecord record = Transcripts.Interpret(Passing.Replace("\n", "\r\n"), 33);
        Assert.Equal(BootEnding.Completed, record.Ending);
        Assert.Empty(record.Problems);
    }

    [Fact]
    public void SuccessStatusWithFailedTestsIsGarbled()
    {
        BootRecord record = Transcripts.Interpret(Passing, 35);
        Assert.Equal(BootEnding.TruncatedOrGarbled, record.Ending);
        Assert.Contains(record.Problems, p => p.Contains("result=pass but QEMU exited with status 35"));
    }

    [Fact]
    public void PanicIsCapturedWithTheRunningTest()
    {
        string transcript = Cut(Passing, "##strix pass 1") + "##strix panic message=\"out of frames\"\n";
        BootRecord record = Transcripts.Interpret(transcript, 35);
        Assert.Equal(BootEnding.KernelPanic, record.Ending);
        Assert.Equal("out of frames", record.Panic!.Message);
        Assert.Equal("Memory.B", record.Interrupted!.Name);
        Assert.Contains("kernel panic during test Memory.B: out of frames", record.EndingMessage);
    }

    [Fact]
    public void PanicBeforeTestModeIsStillAPanic()
    {
        BootRecord record = Transcripts.Interpret("StrixOS booting\n##strix panic message=\"no memory map\"\n", 35);
        Assert.Equal(BootEnding.KernelPanic, record.Ending);
        Assert.Null(record.Hello);
        Assert.Null(record.Interrupted);
    }

    [Fact]
    public void FaultIsCaptured()
    {
        string fault = TestProtocol.FormatFault(SampleSuites.GeneralProtectionFault);
        BootRecord record = Transcripts.Interpret(Cut(Passing, "##strix pass 1") + fault + "\n", 35);
        Assert.Equal(BootEnding.CpuFault, record.Ending);
        Assert.Equal(13, record.Fault!.Fault.Vector);
        Assert.Equal(fault, record.Fault.Line);
        Assert.Contains("#GP", record.EndingMessage);
    }

    [Fact]
    public void StatusZeroIsATripleFaultWhateverWasPrinted()
    {
        BootRecord record = Transcripts.Interpret(Cut(Passing, "##strix pass 1"), 0);
        Assert.Equal(BootEnding.TripleFaultOrReset, record.Ending);
        Assert.Equal("Memory.B", record.Interrupted!.Name);
    }

    [Fact]
    public void TimeoutIsAHang()
    {
        BootRecord record = Transcripts.Interpret(Cut(Passing, "##strix pass 1"), BootExit.Killed("", TimeSpan.FromSeconds(2.1), TimeSpan.FromSeconds(2)));
        Assert.Equal(BootEnding.Hang, record.Ending);
        Assert.Contains("within 2 s during test Memory.B", record.EndingMessage);
    }

    [Theory]
    [InlineData("##strix end")]                    // cut before the end line
    [InlineData("##strix pass 1")]                 // cut inside a test
    [InlineData("##strix hello")]                  // cut before test mode began
    public void OutputThatStopsIsTruncated(string cutAt)
    {
        BootRecord record = Transcripts.Interpret(Cut(Passing, cutAt), 35);
        Assert.Equal(BootEnding.TruncatedOrGarbled, record.Ending);
        Assert.StartsWith("the output stopped", record.EndingMessage);
    }

    [Fact]
    public void KernelThatIgnoresTestModeIsNamedSo()
    {
        BootRecord record = Transcripts.Interpret("StrixOS booting\n[info]  boot complete\n", 33);
        Assert.Equal(BootEnding.TruncatedOrGarbled, record.Ending);
        Assert.Contains("without entering test mode", record.EndingMessage);
    }

    [Fact]
    public void GarbageOnlyIsTruncated()
    {
        var random = new Random(42);
        var bytes = new char[4000];
        for (int i = 0; i < bytes.Length; i++)
            bytes[i] = (char)random.Next(0, 256);
        BootRecord record = Transcripts.Interpret(new string(bytes), 35);
        Assert.Equal(BootEnding.TruncatedOrGarbled, record.Ending);
    }

    [Theory]
    [InlineData("##strix pass 1 Memory.B", "##strix pass 1 Memory.B\u0000\u0001")]
    [InlineData("##strix pass 1 Memory.B", "##strix pass 7 Memory.B")]
    [InlineData("##strix pass 1 Memory.B", "##strix fail 1 Memory.B file=\"x\" line=1 assertions-failed=1 message=\"x\"")]
    [InlineData("##strix test 1 Memory.B", "##strix test 0 Memory.A")]
    [InlineData("##strix test 1 Memory.B", "##strix test 1 Memory.C")]
    [InlineData("##strix test 1 Memory.B", "##strix test 1 Other.B")]
    [InlineData("##strix plan 1 Memory.B", "##strix plan 0 Memory.B")]
    [InlineData("##strix suite Memory tests=2", "##strix suite Memory tests=3")]
    [InlineData("##strix suite-end Memory passed=2 failed=0 skipped=0", "##strix suite-end Memory passed=1 failed=1 skipped=0")]
    [InlineData("##strix suite-end Memory passed=2 failed=0 skipped=0", "##strix suite-end Other passed=2 failed=0 skipped=0")]
    [InlineData("##strix end passed=2 failed=0 skipped=0 rejected=0 result=pass", "##strix end passed=3 failed=0 skipped=0 rejected=0 result=pass")]
    [InlineData("##strix end passed=2 failed=0 skipped=0 rejected=0 result=pass", "##strix end passed=2 failed=0 skipped=0 rejected=0 result=fail")]
    [InlineData("##strix hello protocol=1", "##strix hello protocol=2")]
    [InlineData("##strix hello protocol=1 registered=2 selected=2", "##strix hello protocol=1 registered=2 selected=3")]
    [InlineData("[info]  kernel stopped", "##strix pass 1 Memory.B")]
    [InlineData("[info]  kernel stopped", "##strix unknown-keyword")]
    [InlineData("StrixOS 0.1.0", "##strix test 0 Memory.A")]
    public void ProtocolViolationsAreGarbled(string original, string replacement)
    {
        string transcript = Passing.Replace(original, replacement, StringComparison.Ordinal);
        Assert.NotEqual(Passing, transcript);
        BootRecord record = Transcripts.Interpret(transcript, 33);
        Assert.Equal(BootEnding.TruncatedOrGarbled, record.Ending);
        Assert.NotEmpty(record.Problems);
        Assert.All(record.Problems, p => Assert.StartsWith("serial line ", p));
    }

    [Fact]
    public void ResumedBootMustStartWhereAsked()
    {
        BootRecord ignoredFrom = Transcripts.Interpret(Passing, 33, from: 1);
        Assert.Equal(BootEnding.TruncatedOrGarbled, ignoredFrom.Ending);
        Assert.Contains(ignoredFrom.Problems, p => p.Contains("test-from=1 was asked for"));
    }

    [Fact]
    public void UnexpectedQemuStatusWithoutOutputIsAFailedStart()
    {
        BootRecord record = Transcripts.Interpret("", BootExit.Exited(1, "qemu-system-x86_64: -drive file=x: Could not open 'x'", TimeSpan.Zero));
        Assert.Equal(BootEnding.QemuFailedToStart, record.Ending);
        Assert.Contains("Could not open", record.EndingMessage);

        BootRecord late = Transcripts.Interpret(Cut(Passing, "##strix pass 1"), BootExit.Exited(1, "", TimeSpan.Zero));
        Assert.Equal(BootEnding.TruncatedOrGarbled, late.Ending);
    }

    private static string Cut(string transcript, string beforeLineStartingWith)
    {
        int at = transcript.IndexOf("\n" + beforeLineStartingWith, StringComparison.Ordinal);
        Assert.True(at >= 0, $"no line starting with {beforeLineStartingWith}");
        return transcript[..(at + 1)];
    }
}
