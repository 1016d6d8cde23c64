using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using StrixOS.Cpu;
using StrixOS.Testing;

namespace StrixOS.Tests.Runner;

/// <summary>
/// Reads one boot's serial output line by line as it arrives and checks it against the protocol's
/// order (hello, rejected and plan lines, then suites of tests, then the end line; fault and panic
/// lines may come at any time). <see cref="Finish"/> combines what it saw with how QEMU exited
/// into a <see cref="BootRecord"/>. It never throws on bad input: every violation is a problem.
/// </summary>
public sealed class BootTranscriptInterpreter
{
    private const int TranscriptLimit = 4 * 1024 * 1024;

    private readonly int _bootNumber;
    private readonly string _commandLine;
    private readonly int _requestedFrom;
    private readonly StringBuilder _transcript = new();
    private readonly List<PlanEvent> _plan = new();
    private readonly Dictionary<int, string> _planByIndex = new();
    private readonly List<RejectedEvent> _rejected = new();
    private readonly List<TestObservation> _results = new();
    private readonly List<string> _problems = new();

    private int _lineNumber;
    private bool _transcriptCut;
    private HelloEvent? _hello;
    private string? _suite;
    private int _suiteDeclaredTests, _suitePassed, _suiteFailed, _suiteSkipped;
    private int _lastTestIndex = -1;
    private InterruptedTest? _running;
    private EndEvent? _end;
    private FaultEvent? _fault;
    private FaultEvent? _testFault;
    private PanicEvent? _panic;

    public BootTranscriptInterpreter(int bootNumber = 1, string commandLine = "", int requestedFrom = 0)
    {
        _bootNumber = bootNumber;
        _commandLine = commandLine;
        _requestedFrom = requestedFrom;
    }

    public int LineCount => _lineNumber;

    /// <summary>The test started but not yet reported, if any (what a crash now would be blamed on).</summary>
    public InterruptedTest? Running => _running;

    public void Feed(string rawLine, TimeSpan at)
    {
        _lineNumber++;
        AppendTranscript(rawLine);
        ProtocolLineStatus status = ProtocolEventParser.TryParse(rawLine, out ProtocolEvent? parsed, out string error);
        if (status == ProtocolLineStatus.NotProtocol)
            return;
        if (status == ProtocolLineStatus.Malformed || parsed is null)
        {
            Problem($"malformed protocol line ({error}): {Shorten(rawLine)}");
            return;
        }
        Apply(parsed, at);
    }

    public BootRecord Finish(BootExit exit)
    {
        (BootEnding ending, string message) = Judge(exit);
        return new BootRecord
        {
            Number = _bootNumber,
            CommandLine = _commandLine,
            Exit = exit,
            Ending = ending,
            EndingMessage = message,
            Hello = _hello,
            Plan = _plan.ToArray(),
            Rejected = _rejected.ToArray(),
            Results = _results.ToArray(),
            Interrupted = _running,
            Fault = _fault,
            Panic = _panic,
            End = _end,
            Problems = _problems.ToArray(),
            Transcript = _transcript.ToString(),
        };
    }

    private void Apply(ProtocolEvent parsed, TimeSpan at)
    {
        switch (parsed)
        {
            case FaultEvent fault:
                if (_fault is not null)
                    Problem("a second fault line");
                _fault ??= fault;
                // Inside a test, the kernel may survive the fault (in-kernel recovery) and report the
                // test's result next; until then, this fault is what ends the boot.
                if (_running is not null)
                    _testFault ??= fault;
                return;
            case PanicEvent panic:
                _panic ??= panic;
                return;
            case HelloEvent hello:
                OnHello(hello);
                return;
        }
        if (_hello is null)
        {
            Problem($"'{Keyword(parsed)}' line before the hello line");
            return;
        }
        if (_end is not null)
        {
            Problem($"'{Keyword(parsed)}' line after the end line");
            return;
        }
        switch (parsed)
        {
            case RejectedEvent rejected:
                _rejected.Add(rejected);
                break;
            case PlanEvent plan:
                OnPlan(plan);
                break;
            case SuiteStartEvent suite:
                OnSuiteStart(suite);
                break;
            case TestStartEvent start:
                OnTestStart(start, at);
                break;
            case TestPassEvent pass:
                OnResult(pass.Index, pass.Name, TestOutcome.Passed, "", "", 0, 0, at);
                break;
            case TestFailEvent fail:
                OnResult(fail.Index, fail.Name, TestOutcome.Failed, fail.Message, fail.File, fail.Line, fail.FailedAssertions, at);
                break;
            case TestSkipEvent skip:
                OnResult(skip.Index, skip.Name, TestOutcome.Skipped, skip.Reason, "", 0, 0, at);
                break;
            case SuiteEndEvent suiteEnd:
                OnSuiteEnd(suiteEnd);
                break;
            case EndEvent end:
                OnEnd(end);
                break;
        }
    }

    private void OnHello(HelloEvent hello)
    {
        if (_hello is not null)
        {
            Problem("a second hello line in one boot");
            return;
        }
        _hello = hello;
        if (hello.Protocol != TestProtocol.Version)
            Problem($"protocol version {hello.Protocol}, but this runner reads version {TestProtocol.Version}");
        if (hello.From != _requestedFrom)
            Problem($"the kernel starts at test {hello.From}, but test-from={_requestedFrom} was asked for");
    }

    private void OnPlan(PlanEvent plan)
    {
        if (_suite is not null || _results.Count > 0 || _running is not null)
            Problem($"plan line for test {plan.Index} after the tests began");
        else if (plan.Index < _requestedFrom || (_plan.Count > 0 && plan.Index <= _plan[^1].Index))
            Problem($"plan line for test {plan.Index} out of order");
        else
        {
            _plan.Add(plan);
            _planByIndex[plan.Index] = plan.Name;
        }
    }

    private void OnSuiteStart(SuiteStartEvent suite)
    {
        if (_suite is not null)
            Problem($"suite {suite.Suite} starts inside suite {_suite}");
        if (_running is not null)
            Problem($"suite {suite.Suite} starts while test {_running.Name} is running");
        _suite = suite.Suite;
        _suiteDeclaredTests = suite.Tests;
        _suitePassed = _suiteFailed = _suiteSkipped = 0;
    }

    private void OnTestStart(TestStartEvent start, TimeSpan at)
    {
        if (_suite is null)
            Problem($"test {start.Name} starts outside any suite");
        else if (!start.Name.StartsWith(_suite + ".", StringComparison.Ordinal))
            Problem($"test {start.Name} starts inside suite {_suite}");
        if (_running is not null)
            Problem($"test {start.Name} starts while test {_running.Name} is still running");
        if (start.Index <= _lastTestIndex || start.Index < _requestedFrom)
            Problem($"test index {start.Index} out of order");
        if (!_planByIndex.TryGetValue(start.Index, out string? planned))
            Problem($"test {start.Index} {start.Name} was not in the plan");
        else if (planned != start.Name)
            Problem($"test {start.Index} is {start.Name}, but the plan named it {planned}");
        _lastTestIndex = Math.Max(_lastTestIndex, start.Index);
        _running = new InterruptedTest(start.Index, start.Name, start.Expectation, at);
        _testFault = null;
    }

    private void OnResult(int index, string name, TestOutcome outcome, string message, string file, int line, int failedAssertions, TimeSpan at)
    {
        if (_running is null || _running.Index != index || _running.Name != name)
        {
            Problem($"result for test {index} {name}, which is not the test running ({_running?.Name ?? "none"})");
            return;
        }
        if (_testFault is not null)
        {
            // The kernel recovered from the fault and judged it; check that judgement here too.
            if (_running.Expectation is not { } expectation)
                Problem($"test {name} reported a result after a CPU fault it did not expect");
            else if (outcome == TestOutcome.Passed && !expectation.IsMetBy(_testFault.Fault))
                Problem($"expected-fault test {name} reported a pass, but its fault does not meet {expectation.Describe()}: {_testFault.Line}");
            _fault = null;
            _testFault = null;
        }
        else if (_running.Expectation is not null && outcome == TestOutcome.Passed)
            Problem($"expected-fault test {name} reported a pass; only a fault report can pass it");
        _results.Add(new TestObservation(index, name, outcome, message, file, line, failedAssertions, at - _running.StartedAt));
        _running = null;
        switch (outcome)
        {
            case TestOutcome.Passed: _suitePassed++; break;
            case TestOutcome.Failed: _suiteFailed++; break;
            default: _suiteSkipped++; break;
        }
    }

    private void OnSuiteEnd(SuiteEndEvent end)
    {
        if (_suite != end.Suite)
        {
            Problem($"suite-end for {end.Suite}, but the open suite is {_suite ?? "none"}");
            return;
        }
        if (_running is not null)
            Problem($"suite {end.Suite} ends while test {_running.Name} is running");
        if (end.Passed != _suitePassed || end.Failed != _suiteFailed || end.Skipped != _suiteSkipped)
            Problem($"suite {end.Suite} claims {end.Passed}/{end.Failed}/{end.Skipped} passed/failed/skipped, "
                + $"the lines show {_suitePassed}/{_suiteFailed}/{_suiteSkipped}");
        if (end.Passed + end.Failed + end.Skipped != _suiteDeclaredTests)
            Problem($"suite {end.Suite} announced {_suiteDeclaredTests} tests but accounts for {end.Passed + end.Failed + end.Skipped}");
        _suite = null;
    }

    private void OnEnd(EndEvent end)
    {
        _end = end;
        if (_suite is not null)
            Problem($"end line while suite {_suite} is open");
        int passed = 0, failed = 0, skipped = 0;
        foreach (TestObservation result in _results)
        {
            switch (result.Outcome)
            {
                case TestOutcome.Passed: passed++; break;
                case TestOutcome.Failed: failed++; break;
                default: skipped++; break;
            }
        }
        if (end.Passed != passed || end.Failed != failed || end.Skipped != skipped)
            Problem($"end line claims {end.Passed}/{end.Failed}/{end.Skipped} passed/failed/skipped, the lines show {passed}/{failed}/{skipped}");
        if (_hello is not null && passed + failed + skipped != _hello.Selected)
            Problem($"{_hello.Selected} tests were selected, but {passed + failed + skipped} reported");
        if (_hello is not null && end.Rejected != _hello.Rejected)
            Problem($"end line counts {end.Rejected} rejected registrations, hello counted {_hello.Rejected}");
        bool shouldSucceed = failed == 0 && end.Rejected == 0;
        if (end.Success != shouldSucceed)
            Problem($"end line says result={(end.Success ? "pass" : "fail")} with {failed} failed and {end.Rejected} rejected");
    }

    private (BootEnding, string) Judge(BootExit exit)
    {
        string during = _running is null ? "" : $" during test {_running.Name}";
        if (exit.TimedOut)
        {
            string last = _panic is not null ? $" after a panic report ({_panic.Message})"
                : _fault is not null ? " after a fault report" : "";
            TimeSpan limit = exit.Limit > TimeSpan.Zero ? exit.Limit : exit.Elapsed;
            return (BootEnding.Hang, string.Create(CultureInfo.InvariantCulture,
                $"the kernel did not finish within {limit.TotalSeconds:0.#} s{during}{last}; QEMU was killed"));
        }
        if (exit.ExitStatus == BootExit.ResetStatus)
            return (BootEnding.TripleFaultOrReset, $"QEMU exited with status 0{during}: the CPU reset (a triple fault, with -no-reboot)");
        int status = exit.ExitStatus ?? -1;
        if (status is not (BootExit.KernelSuccessStatus or BootExit.KernelFailureStatus))
        {
            string stderr = exit.StandardError.Trim();
            if (_lineNumber == 0)
                return (BootEnding.QemuFailedToStart, $"QEMU exited with status {status} before any serial output"
                    + (stderr.Length > 0 ? $": {Shorten(stderr)}" : ""));
            Problem($"QEMU exited with status {status}, which the kernel never causes" + (stderr.Length > 0 ? $": {Shorten(stderr)}" : ""));
            return (BootEnding.TruncatedOrGarbled, $"QEMU exited with unexpected status {status}{during}");
        }
        if (_fault is not null)
        {
            if (status != BootExit.KernelFailureStatus)
                Problem($"the kernel reported a fault but exited with status {status}");
            FaultInfo f = _fault.Fault;
            return (BootEnding.CpuFault, $"CPU fault {CpuExceptionInfo.Mnemonic(f.Vector)} ({CpuExceptionInfo.Name(f.Vector)}){during}: {_fault.Line}");
        }
        if (_panic is not null)
        {
            if (status != BootExit.KernelFailureStatus)
                Problem($"the kernel panicked but exited with status {status}");
            return (BootEnding.KernelPanic, $"kernel panic{during}: {_panic.Message}");
        }
        if (_end is null && _hello is null && status == BootExit.KernelSuccessStatus)
            return (BootEnding.TruncatedOrGarbled,
                "the kernel exited with success without entering test mode: no hello line (did it get the 'test' command line?)");
        if (_end is null)
        {
            string where = _hello is null ? "before the hello line" : _running is not null ? $"inside test {_running.Name}" : "before the end line";
            return (BootEnding.TruncatedOrGarbled, $"the output stopped {where} (exit status {status}, no panic or fault report)");
        }
        if (_end.Success != (status == BootExit.KernelSuccessStatus))
            Problem($"the end line says result={(_end.Success ? "pass" : "fail")} but QEMU exited with status {status}");
        if (_problems.Count > 0)
            return (BootEnding.TruncatedOrGarbled, $"the protocol was violated: {_problems[0]}");
        return (BootEnding.Completed, $"completed: {_end.Passed} passed, {_end.Failed} failed, {_end.Skipped} skipped");
    }

    private void Problem(string message) => _problems.Add($"serial line {_lineNumber}: {message}");

    private void AppendTranscript(string line)
    {
        if (_transcriptCut)
            return;
        if (_transcript.Length + line.Length > TranscriptLimit)
        {
            _transcript.Append("[transcript cut: over 4 MiB of serial output]\n");
            _transcriptCut = true;
            return;
        }
        _transcript.Append(line).Append('\n');
    }

    private static string Keyword(ProtocolEvent parsed) => parsed switch
    {
        RejectedEvent => ProtocolKeyword.Rejected,
        PlanEvent => ProtocolKeyword.Plan,
        SuiteStartEvent => ProtocolKeyword.Suite,
        TestStartEvent => ProtocolKeyword.Test,
        TestPassEvent => ProtocolKeyword.Pass,
        TestFailEvent => ProtocolKeyword.Fail,
        TestSkipEvent => ProtocolKeyword.Skip,
        SuiteEndEvent => ProtocolKeyword.SuiteEnd,
        EndEvent => ProtocolKeyword.End,
        _ => "?",
    };

    internal static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "...";
}
