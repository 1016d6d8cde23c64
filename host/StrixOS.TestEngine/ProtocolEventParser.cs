using System;
using System.Globalization;
using StrixOS.Testing;

namespace StrixOS.Tests.Runner;

/// <summary>
/// Turns a parsed <see cref="ProtocolLine"/> into a <see cref="ProtocolEvent"/>, checking that
/// the keyword is known and every required field is there and well-formed. Unknown extra fields
/// are ignored (a later protocol version may add some); unknown keywords are errors.
/// </summary>
public static class ProtocolEventParser
{
    /// <summary>
    /// <see cref="ProtocolLineStatus.NotProtocol"/> for ordinary output; <see cref="ProtocolLineStatus.Malformed"/>
    /// with <paramref name="error"/> for a line that claims to be protocol but is not valid.
    /// </summary>
    public static ProtocolLineStatus TryParse(string rawLine, out ProtocolEvent? parsed, out string error)
    {
        parsed = null;
        ProtocolLineStatus status = ProtocolLineReader.TryParse(rawLine, out ProtocolLine? line, out error);
        if (status != ProtocolLineStatus.Parsed || line is null)
            return status;
        var reader = new Fields(line);
        parsed = line.Keyword switch
        {
            ProtocolKeyword.Hello => new HelloEvent(reader.Int("protocol"), reader.Int("registered"), reader.Int("selected"),
                reader.Int("from"), reader.Int("rejected"), reader.Text("filter")),
            ProtocolKeyword.Rejected => new RejectedEvent(reader.Text("suite"), reader.OptionalText("test"), reader.Text("reason")),
            ProtocolKeyword.Plan => new PlanEvent(reader.IndexWord(), reader.NameWord()),
            ProtocolKeyword.Suite => new SuiteStartEvent(reader.Word(0), reader.Int("tests")),
            ProtocolKeyword.Test => new TestStartEvent(reader.IndexWord(), reader.NameWord(), reader.Expectation()),
            ProtocolKeyword.Pass => new TestPassEvent(reader.IndexWord(), reader.NameWord()),
            ProtocolKeyword.Fail => new TestFailEvent(reader.IndexWord(), reader.NameWord(), reader.Text("file"),
                reader.Int("line"), reader.Int("assertions-failed"), reader.Text("message")),
            ProtocolKeyword.Skip => new TestSkipEvent(reader.IndexWord(), reader.NameWord(), reader.Text("reason")),
            ProtocolKeyword.SuiteEnd => new SuiteEndEvent(reader.Word(0), reader.Int("passed"), reader.Int("failed"), reader.Int("skipped")),
            ProtocolKeyword.End => new EndEvent(reader.Int("passed"), reader.Int("failed"), reader.Int("skipped"),
                reader.Int("rejected"), reader.Result()),
            ProtocolKeyword.Fault => reader.Fault(rawLine.TrimEnd('\r')),
            ProtocolKeyword.Panic => new PanicEvent(reader.Text("message")),
            _ => reader.Unknown(),
        };
        if (reader.Error is not null)
        {
            parsed = null;
            error = reader.Error;
            return ProtocolLineStatus.Malformed;
        }
        return ProtocolLineStatus.Parsed;
    }

    /// <summary>Field access that remembers the first problem instead of throwing.</summary>
    private sealed class Fields(ProtocolLine line)
    {
        public string? Error { get; private set; }

        public string Word(int position)
        {
            string? word = line.Word(position);
            if (word is null)
                Fail($"'{line.Keyword}' line lacks word {position + 1}");
            return word ?? "";
        }

        public int IndexWord()
        {
            string word = Word(0);
            if (int.TryParse(word, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                return index;
            Fail($"'{line.Keyword}' line has a bad test index '{word}'");
            return -1;
        }

        public string NameWord() => Word(1);

        public string Text(string key)
        {
            if (!line.TryGetField(key, out string value))
                Fail($"'{line.Keyword}' line lacks {key}=");
            return value;
        }

        public string OptionalText(string key) => line.TryGetField(key, out string value) ? value : "";

        public int Int(string key)
        {
            string text = Text(key);
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
                return value;
            Fail($"'{line.Keyword}' line: {key}={text} is not a number");
            return 0;
        }

        public ulong Hex(string key)
        {
            string text = Text(key);
            if (Error is not null)
                return 0;
            if (!text.StartsWith("0x", StringComparison.Ordinal)
                || !ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong value))
            {
                Fail($"'{line.Keyword}' line: {key}={text} is not 0x-hex");
                return 0;
            }
            return value;
        }

        public bool Result()
        {
            string result = Text("result");
            if (Error is null && result is not ("pass" or "fail"))
                Fail($"'end' line: result={result} is neither pass nor fail");
            return result == "pass";
        }

        public FaultExpectation? Expectation()
        {
            if (!line.HasField("expect-fault"))
                return null;
            int vector = Int("expect-fault");
            if (Error is null && vector is < 0 or > 255)
                Fail($"'test' line: expect-fault={vector} is not a vector");
            var expectation = new FaultExpectation { Vector = (byte)vector };
            if (line.HasField("expect-error-set"))
                expectation = expectation.WithErrorBitsSet(Hex("expect-error-set"));
            if (line.HasField("expect-error-clear"))
                expectation = expectation.WithErrorBitsClear(Hex("expect-error-clear"));
            if (line.HasField("expect-cr2"))
                expectation = expectation.AtAddress(Hex("expect-cr2"));
            return expectation;
        }

        public ProtocolEvent Fault(string rawLine)
        {
            int vector = Int("vector");
            if (Error is null && vector is < 0 or > 255)
                Fail($"'fault' line: vector={vector} is out of range");
            string errorText = Text("error");
            bool hasErrorCode = errorText != "none";
            var fault = new FaultInfo
            {
                Vector = (byte)vector,
                HasErrorCode = hasErrorCode,
                ErrorCode = hasErrorCode ? Hex("error") : 0,
                Cr2 = Hex("cr2"),
                Rip = Hex("rip"),
                Rsp = Hex("rsp"),
                Cr3 = Hex("cr3"),
                MethodName = line.TryGetField("method", out string method) ? method : null,
            };
            return new FaultEvent(fault, rawLine);
        }

        public ProtocolEvent Unknown()
        {
            Fail($"unknown keyword '{line.Keyword}' (protocol version {TestProtocol.Version})");
            return new PanicEvent("");
        }

        private void Fail(string message) => Error ??= message;
    }
}
