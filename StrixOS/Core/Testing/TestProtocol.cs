using System;
using StrixOS.Cpu;

namespace StrixOS.Testing;

/// <summary>
/// The test protocol's lines, formatted (docs/testing.md has the grammar and a transcript). Every
/// line starts with <see cref="Prefix"/> so it stands out amid other kernel output. The fault and
/// panic lines are also how a kernel outside test mode reports its end, so they read as sentences
/// too; their Try forms allocate nothing, for fault handlers running on a broken heap.
/// </summary>
public static class TestProtocol
{
    public const string Prefix = "##strix ";
    public const int Version = 1;

    /// <summary>A buffer this long always holds a fault line (a long method name is cut to fit).</summary>
    public const int FaultLineCapacity = 1024;

    // Room for the prefix, keywords, keys and numbers of any line; variable text is added on top.
    private const int FixedPartCapacity = 256;
    private const int StackBufferLength = 1024;

    public static string Hello(int registered, int selected, int from, string filter, int rejected)
    {
        Span<char> buffer = Buffer(Quoted(filter), stackalloc char[StackBufferLength]);
        var line = new ProtocolLineWriter(buffer);
        line.Begin(ProtocolKeyword.Hello);
        line.AppendDecimalField("protocol", Version);
        line.AppendDecimalField("registered", registered);
        line.AppendDecimalField("selected", selected);
        line.AppendDecimalField("from", from);
        line.AppendDecimalField("rejected", rejected);
        line.AppendQuotedField("filter", filter);
        return line.ToString();
    }

    public static string Rejected(string suite, string test, string reason)
    {
        Span<char> buffer = Buffer(Quoted(suite) + Quoted(test) + Quoted(reason), stackalloc char[StackBufferLength]);
        var line = new ProtocolLineWriter(buffer);
        line.Begin(ProtocolKeyword.Rejected);
        line.AppendQuotedField("suite", suite);
        line.AppendQuotedField("test", test);
        line.AppendField("reason", reason);
        return line.ToString();
    }

    public static string Plan(int index, string fullName) => IndexedLine(ProtocolKeyword.Plan, index, fullName);

    public static string SuiteStart(string suite, int tests)
    {
        Span<char> buffer = Buffer(Quoted(suite), stackalloc char[StackBufferLength]);
        var line = new ProtocolLineWriter(buffer);
        line.Begin(ProtocolKeyword.Suite);
        line.AppendWord(suite);
        line.AppendDecimalField("tests", tests);
        return line.ToString();
    }

    public static string TestStart(int index, string fullName) => IndexedLine(ProtocolKeyword.Test, index, fullName);

    /// <summary>The test-start line of an expected-fault test: the expectation goes with it.</summary>
    public static string TestStart(int index, string fullName, in FaultExpectation expectation)
    {
        Span<char> buffer = Buffer(Quoted(fullName), stackalloc char[StackBufferLength]);
        var line = new ProtocolLineWriter(buffer);
        line.Begin(ProtocolKeyword.Test);
        line.AppendChar(' ');
        line.AppendDecimal(index);
        line.AppendWord(fullName);
        line.AppendDecimalField("expect-fault", expectation.Vector);
        line.AppendField("expect-mnemonic", CpuExceptionInfo.Mnemonic(expectation.Vector));
        if (expectation.ErrorBitsSet != 0)
            line.AppendHexField("expect-error-set", expectation.ErrorBitsSet);
        if (expectation.ErrorBitsClear != 0)
            line.AppendHexField("expect-error-clear", expectation.ErrorBitsClear);
        if (expectation.ChecksAddress)
            line.AppendHexField("expect-cr2", expectation.Address, 16);
        return line.ToString();
    }

    public static string Pass(int index, string fullName) => IndexedLine(ProtocolKeyword.Pass, index, fullName);

    public static string Fail(int index, string fullName, string message, string file, int lineNumber, int failedAssertions)
    {
        Span<char> buffer = Buffer(Quoted(fullName) + Quoted(message) + Quoted(file), stackalloc char[StackBufferLength]);
        var line = new ProtocolLineWriter(buffer);
        line.Begin(ProtocolKeyword.Fail);
        line.AppendChar(' ');
        line.AppendDecimal(index);
        line.AppendWord(fullName);
        line.AppendQuotedField("file", file);
        line.AppendDecimalField("line", lineNumber);
        line.AppendDecimalField("assertions-failed", failedAssertions);
        line.AppendQuotedField("message", message);
        return line.ToString();
    }

    public static string Skip(int index, string fullName, string reason)
    {
        Span<char> buffer = Buffer(Quoted(fullName) + Quoted(reason), stackalloc char[StackBufferLength]);
        var line = new ProtocolLineWriter(buffer);
        line.Begin(ProtocolKeyword.Skip);
        line.AppendChar(' ');
        line.AppendDecimal(index);
        line.AppendWord(fullName);
        line.AppendQuotedField("reason", reason);
        return line.ToString();
    }

    public static string SuiteEnd(string suite, int passed, int failed, int skipped)
    {
        Span<char> buffer = Buffer(Quoted(suite), stackalloc char[StackBufferLength]);
        var line = new ProtocolLineWriter(buffer);
        line.Begin(ProtocolKeyword.SuiteEnd);
        line.AppendWord(suite);
        line.AppendDecimalField("passed", passed);
        line.AppendDecimalField("failed", failed);
        line.AppendDecimalField("skipped", skipped);
        return line.ToString();
    }

    public static string End(int passed, int failed, int skipped, int rejected)
    {
        Span<char> buffer = stackalloc char[StackBufferLength];
        var line = new ProtocolLineWriter(buffer);
        line.Begin(ProtocolKeyword.End);
        line.AppendDecimalField("passed", passed);
        line.AppendDecimalField("failed", failed);
        line.AppendDecimalField("skipped", skipped);
        line.AppendDecimalField("rejected", rejected);
        line.AppendField("result", failed == 0 && rejected == 0 ? "pass" : "fail");
        return line.ToString();
    }

    /// <summary>The panic line: "##strix panic message="..."".</summary>
    public static string FormatPanic(string message)
    {
        Span<char> buffer = Buffer(Quoted(message), stackalloc char[StackBufferLength]);
        var line = new ProtocolLineWriter(buffer);
        line.Begin(ProtocolKeyword.Panic);
        line.AppendQuotedField("message", message);
        return line.ToString();
    }

    /// <summary>The panic line into <paramref name="destination"/>, the message cut with "..." to fit; no allocation.</summary>
    public static bool TryFormatPanic(ReadOnlySpan<char> message, Span<char> destination, out int written)
    {
        var line = new ProtocolLineWriter(destination);
        line.Begin(ProtocolKeyword.Panic);
        line.AppendKey("message");
        line.AppendQuotedCut(message);
        written = line.Overflowed ? 0 : line.Length;
        return !line.Overflowed;
    }

    public static string FormatFault(in FaultInfo fault)
    {
        Span<char> buffer = stackalloc char[FaultLineCapacity];
        TryFormatFault(fault, buffer, out int written);
        return new string(buffer.Slice(0, written));
    }

    /// <summary>
    /// The fault line into <paramref name="destination"/> without allocating; false when even the
    /// fixed fields do not fit (<see cref="FaultLineCapacity"/> always suffices).
    /// </summary>
    public static bool TryFormatFault(in FaultInfo fault, Span<char> destination, out int written)
    {
        var line = new ProtocolLineWriter(destination);
        line.Begin(ProtocolKeyword.Fault);
        line.AppendDecimalField("vector", fault.Vector);
        line.AppendField("mnemonic", CpuExceptionInfo.Mnemonic(fault.Vector));
        line.AppendQuotedField("name", CpuExceptionInfo.Name(fault.Vector));
        if (fault.HasErrorCode)
        {
            line.AppendHexField("error", fault.ErrorCode);
            AppendDecodedErrorCode(ref line, fault.Vector, fault.ErrorCode);
        }
        else
        {
            line.AppendField("error", "none");
        }
        line.AppendHexField("cr2", fault.Cr2, 16);
        line.AppendHexField("rip", fault.Rip, 16);
        line.AppendHexField("rsp", fault.Rsp, 16);
        line.AppendHexField("cr3", fault.Cr3, 16);
        if (fault.MethodName is { Length: > 0 } method)
        {
            line.AppendKey("method");
            line.AppendQuotedCut(method);
        }
        written = line.Overflowed ? 0 : line.Length;
        return !line.Overflowed;
    }

    private static void AppendDecodedErrorCode(ref ProtocolLineWriter line, byte vector, ulong errorCode)
    {
        if (vector == (byte)CpuException.PageFault)
        {
            line.AppendKey("decoded");
            line.AppendChar('"');
            var bits = (PageFaultErrorBits)errorCode;
            line.AppendRaw((bits & PageFaultErrorBits.Present) != 0 ? "present" : "not-present");
            line.AppendRaw((bits & PageFaultErrorBits.Write) != 0 ? " write" : " read");
            line.AppendRaw((bits & PageFaultErrorBits.User) != 0 ? " user" : " supervisor");
            if ((bits & PageFaultErrorBits.ReservedBit) != 0)
                line.AppendRaw(" reserved-bit");
            if ((bits & PageFaultErrorBits.InstructionFetch) != 0)
                line.AppendRaw(" instruction-fetch");
            if ((bits & PageFaultErrorBits.ProtectionKey) != 0)
                line.AppendRaw(" protection-key");
            if ((bits & PageFaultErrorBits.ShadowStack) != 0)
                line.AppendRaw(" shadow-stack");
            if ((bits & PageFaultErrorBits.Sgx) != 0)
                line.AppendRaw(" sgx");
            line.AppendChar('"');
        }
        else if (CpuExceptionInfo.HasSelectorErrorCode(vector))
        {
            line.AppendKey("decoded");
            line.AppendChar('"');
            if (errorCode == 0)
            {
                line.AppendRaw("no selector");
            }
            else
            {
                // Bit 0: external event; bit 1: IDT; else bit 2 picks LDT over GDT; index from bit 3.
                line.AppendRaw((errorCode & 2) != 0 ? "idt" : (errorCode & 4) != 0 ? "ldt" : "gdt");
                line.AppendRaw(" index ");
                line.AppendDecimal((errorCode >> 3) & 0x1FFF);
                if ((errorCode & 1) != 0)
                    line.AppendRaw(" external");
            }
            line.AppendChar('"');
        }
    }

    private static string IndexedLine(string keyword, int index, string fullName)
    {
        Span<char> buffer = Buffer(Quoted(fullName), stackalloc char[StackBufferLength]);
        var line = new ProtocolLineWriter(buffer);
        line.Begin(keyword);
        line.AppendChar(' ');
        line.AppendDecimal(index);
        line.AppendWord(fullName);
        return line.ToString();
    }

    private static int Quoted(string text) => ProtocolLineWriter.EscapedLength(text) + 2;

    /// <summary>The stack buffer when the line fits it, else a heap buffer sized for the worst case.</summary>
    private static Span<char> Buffer(int variableLength, Span<char> stackBuffer) =>
        FixedPartCapacity + variableLength <= stackBuffer.Length ? stackBuffer : new char[FixedPartCapacity + variableLength];
}
