using System;
using CsCheck;
using StrixOS.Cpu;
using StrixOS.Testing;
using Xunit;

namespace StrixOS.Tests.Runner;

/// <summary>The kernel-side formatter against the host-side reader: exact formats, escaping, cutting.</summary>
public sealed class ProtocolFormatTests
{
    private static readonly FaultInfo NullDereference = new()
    {
        Vector = 14,
        HasErrorCode = true,
        ErrorCode = 0x2,
        Cr2 = 0,
        Rip = 0xFFFFFFFF80012345,
        Rsp = 0xFFFFFFFF801D0F58,
        Cr3 = 0x102000,
        MethodName = "StrixOS.Memory.Tests.NullWrite",
    };

    [Fact]
    public void LinesHaveTheDocumentedForm()
    {
        Assert.Equal("##strix hello protocol=1 registered=12 selected=3 from=0 rejected=0 filter=\"Memory.*\"",
            TestProtocol.Hello(12, 3, 0, "Memory.*", 0));
        Assert.Equal("##strix plan 4 Memory.Frames", TestProtocol.Plan(4, "Memory.Frames"));
        Assert.Equal("##strix suite Memory tests=3", TestProtocol.SuiteStart("Memory", 3));
        Assert.Equal("##strix test 4 Memory.Frames", TestProtocol.TestStart(4, "Memory.Frames"));
        Assert.Equal("##strix pass 4 Memory.Frames", TestProtocol.Pass(4, "Memory.Frames"));
        Assert.Equal("##strix fail 5 Memory.Size file=\"/src/M.cs\" line=42 assertions-failed=1 message=\"expected 1, actual 2\"",
            TestProtocol.Fail(5, "Memory.Size", "expected 1, actual 2", "/src/M.cs", 42, 1));
        Assert.Equal("##strix skip 6 Memory.Huge reason=\"needs 8 GiB\"", TestProtocol.Skip(6, "Memory.Huge", "needs 8 GiB"));
        Assert.Equal("##strix suite-end Memory passed=1 failed=1 skipped=1", TestProtocol.SuiteEnd("Memory", 1, 1, 1));
        Assert.Equal("##strix end passed=1 failed=1 skipped=1 rejected=0 result=fail", TestProtocol.End(1, 1, 1, 0));
        Assert.Equal("##strix end passed=2 failed=0 skipped=0 rejected=0 result=pass", TestProtocol.End(2, 0, 0, 0));
        Assert.Equal("##strix end passed=2 failed=0 skipped=0 rejected=1 result=fail", TestProtocol.End(2, 0, 0, 1));
        Assert.Equal("##strix panic message=\"heap exhausted\"", TestProtocol.FormatPanic("heap exhausted"));
        Assert.Equal("##strix rejected suite=\"Memory\" test=\"bad name\" reason=invalid-name",
            TestProtocol.Rejected("Memory", "bad name", "invalid-name"));
    }

    [Fact]
    public void ExpectedFaultIsAnnouncedInTheTestStartLine()
    {
        FaultExpectation expectation = FaultExpectation.PageFaultAt(0, set: PageFaultErrorBits.Write, clear: PageFaultErrorBits.Present);
        Assert.Equal(
            "##strix test 9 Faults.NullWrite expect-fault=14 expect-mnemonic=#PF expect-error-set=0x2 expect-error-clear=0x1 expect-cr2=0x0000000000000000",
            TestProtocol.TestStart(9, "Faults.NullWrite", expectation));
        Assert.Equal("##strix test 3 Faults.Ud expect-fault=6 expect-mnemonic=#UD",
            TestProtocol.TestStart(3, "Faults.Ud", FaultExpectation.Of(CpuException.InvalidOpcode)));
    }

    [Fact]
    public void FaultLineReadsAsAReportAndParsesBack()
    {
        string line = TestProtocol.FormatFault(NullDereference);
        Assert.Equal("##strix fault vector=14 mnemonic=#PF name=\"page fault\" error=0x2 decoded=\"not-present write supervisor\" "
            + "cr2=0x0000000000000000 rip=0xffffffff80012345 rsp=0xffffffff801d0f58 cr3=0x0000000000102000 "
            + "method=\"StrixOS.Memory.Tests.NullWrite\"", line);

        Assert.Equal(ProtocolLineStatus.Parsed, ProtocolEventParser.TryParse(line, out ProtocolEvent? parsed, out string error));
        var fault = Assert.IsType<FaultEvent>(parsed, exactMatch: true).Fault;
        Assert.Equal("", error);
        Assert.Equal(NullDereference.Vector, fault.Vector);
        Assert.True(fault.HasErrorCode);
        Assert.Equal(NullDereference.ErrorCode, fault.ErrorCode);
        Assert.Equal(NullDereference.Cr2, fault.Cr2);
        Assert.Equal(NullDereference.Rip, fault.Rip);
        Assert.Equal(NullDereference.Rsp, fault.Rsp);
        Assert.Equal(NullDereference.Cr3, fault.Cr3);
        Assert.Equal(NullDereference.MethodName, fault.MethodName);
    }

    [Theory]
    [InlineData(14, 0x1Bul, "present write supervisor reserved-bit instruction-fetch")]
    [InlineData(14, 0x8025ul, "present read user protection-key sgx")]
    [InlineData(14, 0x10ul, "not-present read supervisor instruction-fetch")]
    [InlineData(13, 0x0ul, "no selector")]
    [InlineData(13, 0x6Aul, "idt index 13")]
    [InlineData(11, 0x2Dul, "ldt index 5 external")]
    [InlineData(10, 0x18ul, "gdt index 3")]
    public void ErrorCodesAreDecoded(int vector, ulong errorCode, string decoded)
    {
        string line = TestProtocol.FormatFault(new FaultInfo { Vector = (byte)vector, HasErrorCode = true, ErrorCode = errorCode });
        Assert.Equal(ProtocolLineStatus.Parsed, ProtocolLineReader.TryParse(line, out ProtocolLine? parsed, out _));
        Assert.True(parsed!.TryGetField("decoded", out string text));
        Assert.Equal(decoded, text);
    }

    [Fact]
    public void FaultWithoutErrorCodeSaysSo()
    {
        string line = TestProtocol.FormatFault(new FaultInfo { Vector = 6, Rip = 0x1000 });
        Assert.Contains(" mnemonic=#UD name=\"invalid opcode\" error=none cr2=", line);
        Assert.DoesNotContain("decoded=", line);
        Assert.DoesNotContain("method=", line);
        ProtocolEventParser.TryParse(line, out ProtocolEvent? parsed, out _);
        Assert.False(Assert.IsType<FaultEvent>(parsed).Fault.HasErrorCode);
    }

    [Fact]
    public void FaultLineFitsSmallBuffersByCuttingTheMethodName()
    {
        FaultInfo fault = NullDereference with { MethodName = new string('M', 2000) };
        Span<char> tooSmall = stackalloc char[100];
        Assert.False(TestProtocol.TryFormatFault(fault, tooSmall, out int none));
        Assert.Equal(0, none);

        Span<char> buffer = stackalloc char[400];
        Assert.True(TestProtocol.TryFormatFault(fault, buffer, out int written));
        string line = new(buffer[..written]);
        Assert.True(written <= 400);
        Assert.EndsWith("...\"", line);
        Assert.Equal(ProtocolLineStatus.Parsed, ProtocolEventParser.TryParse(line, out ProtocolEvent? parsed, out _));
        string method = Assert.IsType<FaultEvent>(parsed).Fault.MethodName!;
        Assert.StartsWith("MMMM", method);
        Assert.EndsWith("...", method);

        Assert.Equal(TestProtocol.FaultLineCapacity, TestProtocol.FormatFault(fault).Length);
    }

    [Fact]
    public void EscapedMessagesRoundTrip()
    {
        const string message = "tab\there \"quoted\" back\\slash\r\nnext line \u0001\u007f caf\u00e9 \ud83d\ude00 ##strix end";
        string line = TestProtocol.Fail(1, "A.B", message, "C:\\src\\x.cs", 7, 2);
        AssertSafeLine(line);
        Assert.Equal(ProtocolLineStatus.Parsed, ProtocolEventParser.TryParse(line, out ProtocolEvent? parsed, out _));
        var fail = Assert.IsType<TestFailEvent>(parsed);
        Assert.Equal(message, fail.Message);
        Assert.Equal("C:\\src\\x.cs", fail.File);
        Assert.Equal(7, fail.Line);
        Assert.Equal(2, fail.FailedAssertions);
    }

    [Fact]
    public void AnyMessageRoundTripsAndNeverBreaksTheLine()
    {
        Gen.String.Sample(message =>
        {
            string line = TestProtocol.Skip(3, "Suite.Case", message);
            AssertSafeLine(line);
            Assert.Equal(ProtocolLineStatus.Parsed, ProtocolEventParser.TryParse(line, out ProtocolEvent? parsed, out string error));
            Assert.Equal(message, Assert.IsType<TestSkipEvent>(parsed).Reason);
            Assert.Equal("", error);
        }, iter: 2000);
    }

    [Fact]
    public void CutPanicMessagesStayParseableAndArePrefixes()
    {
        Gen.Select(Gen.String, Gen.Int[40, 300]).Sample((message, size) =>
        {
            char[] buffer = new char[size];
            Assert.True(TestProtocol.TryFormatPanic(message, buffer, out int written));
            string line = new(buffer, 0, written);
            AssertSafeLine(line);
            Assert.Equal(ProtocolLineStatus.Parsed, ProtocolEventParser.TryParse(line, out ProtocolEvent? parsed, out _));
            string parsedMessage = Assert.IsType<PanicEvent>(parsed).Message;
            if (parsedMessage != message)
            {
                Assert.EndsWith("...", parsedMessage);
                Assert.StartsWith(parsedMessage[..^3], message, StringComparison.Ordinal);
            }
        }, iter: 2000);
    }

    [Fact]
    public void NamesThatNeedQuotingAreQuoted()
    {
        string line = TestProtocol.Plan(1, "odd name=x");
        Assert.Equal("##strix plan 1 \"odd name=x\"", line);
        ProtocolEventParser.TryParse(line, out ProtocolEvent? parsed, out _);
        Assert.Equal("odd name=x", Assert.IsType<PlanEvent>(parsed).Name);
    }

    [Theory]
    [InlineData("[info]  boot complete", ProtocolLineStatus.NotProtocol)]
    [InlineData("##strixx test 1 A.B", ProtocolLineStatus.NotProtocol)]
    [InlineData(" ##strix test 1 A.B", ProtocolLineStatus.NotProtocol)]
    [InlineData("##strix", ProtocolLineStatus.Malformed)]
    [InlineData("##strix test 1 A.B\r", ProtocolLineStatus.Parsed)]
    [InlineData("##strix test one A.B", ProtocolLineStatus.Malformed)]
    [InlineData("##strix test 1", ProtocolLineStatus.Malformed)]
    [InlineData("##strix fail 1 A.B file=\"x\" line=2 assertions-failed=1 message=\"open", ProtocolLineStatus.Malformed)]
    [InlineData("##strix fail 1 A.B file=\"x\" line=2 assertions-failed=1 message=\"bad \\q escape\"", ProtocolLineStatus.Malformed)]
    [InlineData("##strix skip 1 A.B reason=\"a\" reason=\"b\"", ProtocolLineStatus.Malformed)]
    [InlineData("##strix pass 1 A.B\u0007", ProtocolLineStatus.Malformed)]
    [InlineData("##strix launch-missiles now", ProtocolLineStatus.Malformed)]
    [InlineData("##strix end passed=1 failed=0 skipped=0 rejected=0 result=maybe", ProtocolLineStatus.Malformed)]
    [InlineData("##strix pass 1 A.B future-field=1", ProtocolLineStatus.Parsed)]
    public void ReaderTellsProtocolFromOtherOutput(string line, ProtocolLineStatus expected)
    {
        Assert.Equal(expected, ProtocolEventParser.TryParse(line, out ProtocolEvent? parsed, out string error));
        Assert.Equal(expected == ProtocolLineStatus.Parsed, parsed is not null);
        Assert.Equal(expected == ProtocolLineStatus.Malformed, error.Length > 0);
    }

    private static void AssertSafeLine(string line)
    {
        Assert.StartsWith(TestProtocol.Prefix, line);
        foreach (char c in line)
            Assert.True(c is >= ' ' and <= '~', $"character 0x{(int)c:x} in a protocol line");
    }
}
