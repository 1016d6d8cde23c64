using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace StrixOS.Testing;

/// <summary>
/// The "Testing" suite: the test framework checking itself on the machine it runs on (assertion
/// bookkeeping, protocol escaping, name filters). Pure computation, no hardware, so it runs in the
/// kernel and on the host alike; the kernel registers it beside its own suites.
/// </summary>
public static unsafe class FrameworkSelfTests
{
    public const string SuiteName = "Testing";

    public static void Register(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite(SuiteName);
        suite.Add(nameof(PassingAssertionsLeaveTestPassed), &PassingAssertionsLeaveTestPassed);
        suite.Add(nameof(FailedAssertionKeepsFirstFailure), &FailedAssertionKeepsFirstFailure);
        suite.Add(nameof(SkipDoesNotHideFailure), &SkipDoesNotHideFailure);
        suite.Add(nameof(ProtocolLineRoundTrips), &ProtocolLineRoundTrips);
        suite.Add(nameof(GlobSelectsByName), &GlobSelectsByName);
        suite.Add(nameof(CommandLineReadsTestWords), &CommandLineReadsTestWords);
        suite.Add(nameof(UncaughtExceptionFailsOnlyItsTest), &UncaughtExceptionFailsOnlyItsTest);
    }

    private static void PassingAssertionsLeaveTestPassed(TestContext t)
    {
        var inner = new TestContext("Inner.Test");
        inner.Equal(4096ul, 4096ul);
        inner.Equal(-1L, -1L);
        inner.Equal("strix", "strix");
        inner.NotEqual(1, 2);
        inner.True(1 < 2);
        inner.False(2 < 1);
        inner.Null(null);
        inner.NotNull(inner);
        t.Equal((int)TestOutcome.Passed, (int)inner.Outcome);
        t.Equal(0, inner.FailedAssertions);
    }

    private static void FailedAssertionKeepsFirstFailure(TestContext t)
    {
        var inner = new TestContext("Inner.Test");
        int firstLine = LineHere() + 1;
        bool first = inner.Equal(4096ul, 4097ul);
        inner.True(false);
        t.False(first);
        t.Equal((int)TestOutcome.Failed, (int)inner.Outcome);
        t.Equal(2, inner.FailedAssertions);
        t.Equal(firstLine, inner.FailureLine);
        t.True(inner.FailureFile.EndsWith("FrameworkSelfTests.cs"), inner.FailureFile);
        t.Equal("Equal failed for 4097ul: expected 4096 (0x1000), actual 4097 (0x1001)", inner.FailureMessage);
    }

    private static void SkipDoesNotHideFailure(TestContext t)
    {
        var skipped = new TestContext("Inner.Skipped");
        skipped.Skip("no hardware");
        t.Equal((int)TestOutcome.Skipped, (int)skipped.Outcome);
        t.Equal("no hardware", skipped.SkipReason);

        var failedFirst = new TestContext("Inner.Failed");
        failedFirst.Fail("broken");
        failedFirst.Skip("too late");
        t.Equal((int)TestOutcome.Failed, (int)failedFirst.Outcome);
    }

    private static void ProtocolLineRoundTrips(TestContext t)
    {
        const string message = "quote \" backslash \\ newline \n tab \t bell \u0007 e-acute \u00e9";
        string text = TestProtocol.Fail(7, "Suite.Name", message, "/src/File.cs", 42, 1);
        t.False(text.Contains('\n'), "a protocol line must not contain a line break");
        ProtocolLineStatus status = ProtocolLineReader.TryParse(text, out ProtocolLine? line, out string error);
        if (!t.Equal((int)ProtocolLineStatus.Parsed, (int)status) || !t.NotNull(line))
        {
            t.Fail(error);
            return;
        }
        t.Equal(ProtocolKeyword.Fail, line.Keyword);
        t.Equal("7", line.Word(0));
        t.Equal("Suite.Name", line.Word(1));
        t.True(line.TryGetField("message", out string parsedMessage));
        t.Equal(message, parsedMessage);
        t.True(line.TryGetField("line", out string lineNumber));
        t.Equal("42", lineNumber);
    }

    private static void GlobSelectsByName(TestContext t)
    {
        t.True(new TestNamePattern("Memory.*").Matches("Memory.FramesAreAligned"));
        t.False(new TestNamePattern("Memory.*").Matches("Boot.MemoryMap"));
        t.True(new TestNamePattern("Boot.*,*.Frame?").Matches("Memory.Frame1"));
        t.False(new TestNamePattern("*.Frame?").Matches("Memory.Frame12"));
        t.True(TestNamePattern.All.Matches("Any.Thing"));
    }

    private static void CommandLineReadsTestWords(TestContext t)
    {
        TestCommandLine parsed = TestCommandLine.Parse("log=debug test=Memory.* test-from=12");
        t.True(parsed.RunsTests);
        t.Equal("Memory.*", parsed.Filter.Text);
        t.Equal(12, parsed.From);
        t.Equal((int)TestCommandLineError.None, (int)parsed.Error);
        t.False(TestCommandLine.Parse("quiet").RunsTests);
        t.Equal((int)TestCommandLineError.InvalidFrom, (int)TestCommandLine.Parse("test-from=x").Error);
    }

    /// <summary>
    /// A run of three inner tests, the middle one throwing an exception it does not catch: that
    /// test fails with the exception's type, message, inner exception and stack trace, and the
    /// third still runs (on the kernel this goes through CoreLib's dispatcher and the unwinder).
    /// </summary>
    private static void UncaughtExceptionFailsOnlyItsTest(TestContext t)
    {
        var registry = new TestRegistry();
        TestSuite inner = registry.AddSuite("Inner");
        inner.Add("Before", &InnerPasses);
        inner.Add("Throws", &InnerThrows);
        inner.Add("After", &InnerPasses);
        var output = new LineCollector();
        TestRunSummary summary = TestRunner.Run(registry, TestCommandLine.Parse("test"), output);
        t.Equal(2, summary.Passed);
        t.Equal(1, summary.Failed);

        string? failLine = output.Lines.Find(l => l.StartsWith("##strix fail 1 Inner.Throws", StringComparison.Ordinal));
        if (!t.NotNull(failLine))
            return;
        ProtocolLineReader.TryParse(failLine, out ProtocolLine? parsed, out _);
        if (!t.NotNull(parsed) || !t.True(parsed.TryGetField("message", out string message)))
            return;
        t.True(message.StartsWith(UnhandledTestException.Prefix +
            "System.InvalidOperationException: inner test threw\n ---> System.FormatException: inner cause\n", StringComparison.Ordinal), message);
        t.True(message.Contains("InnerThrowsDeeper", StringComparison.Ordinal), message);
        t.True(output.Lines.Contains("##strix pass 2 Inner.After"), "the test after the throwing one did not run");
    }

    private static void InnerPasses(TestContext t) => t.True(true);

    private static void InnerThrows(TestContext t) => InnerThrowsDeeper(t);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void InnerThrowsDeeper(TestContext t)
    {
        if (t.TestName.Length > 0)
            throw new InvalidOperationException("inner test threw", new FormatException("inner cause"));
    }

    private sealed class LineCollector : ITestOutput
    {
        public List<string> Lines { get; } = new();
        public void WriteLine(string line) => Lines.Add(line);
    }

    private static int LineHere([CallerLineNumber] int line = 0) => line;
}
