using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using StrixOS.Cpu;
using StrixOS.Testing;

namespace StrixOS.Tests.Runner;

/// <summary>
/// Runs the in-kernel tests of one image on one <see cref="QemuConfiguration"/>: boots the kernel
/// with the <c>test</c> command line, follows the protocol as it streams, and when a boot ends
/// inside a test (an expected fault, or a crash) reboots with <c>test-from=</c> the next test, so
/// every test gets a result. Never throws for anything the kernel or QEMU does.
/// </summary>
public static class KernelTestEngine
{
    public const string InstallHint = "install it with: sudo apt-get install qemu-system-x86 (or run ./strix setup)";

    /// <param name="configuration">The QEMU machine to boot.</param>
    /// <param name="imagePath">The kernel ISO to boot.</param>
    /// <param name="filter">Globs over "Suite.Test" for <c>test=</c>; empty runs every test.</param>
    /// <param name="cancellation">Stops the boot and kills QEMU.</param>
    public static async Task<RunResult> RunAsync(
        QemuConfiguration configuration, string imagePath, string filter = "", CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        string? qemu = QemuProcess.Locate(configuration.QemuPath);
        if (qemu is null)
            return Unbootable(configuration, RunVerdict.QemuMissing, $"QEMU ({configuration.QemuPath}) was not found"
                + (configuration.QemuPath.Contains('/') ? "" : " on PATH") + $"; {InstallHint}");
        if (configuration.ConfigurationProblem() is { } problem)
            return Unbootable(configuration, RunVerdict.QemuFailedToStart, problem);
        if (configuration.BootMedium != BootMedium.Pxe && !File.Exists(imagePath))
            return Unbootable(configuration, RunVerdict.ImageMissing,
                $"the kernel image {imagePath} does not exist; build it with ./strix build (or set STRIX_ISO to an image)");

        var run = new RunState(configuration);
        string baseCommandLine = filter.Length == 0 ? TestCommandLine.RunWord : TestCommandLine.FilterPrefix + filter;
        int from = 0;
        while (true)
        {
            string commandLine = from == 0 ? baseCommandLine : $"{baseCommandLine} {TestCommandLine.FromPrefix}{from}";
            var interpreter = new BootTranscriptInterpreter(run.Boots.Count + 1, commandLine, from);
            (BootExit? exit, string? startError) = await QemuProcess.RunAsync(
                qemu, configuration.Arguments(imagePath, commandLine), configuration.Timeout, interpreter.Feed, cancellation)
                .ConfigureAwait(false);
            if (exit is null)
            {
                run.Incident(RunVerdict.QemuFailedToStart, $"{startError}; {InstallHint}");
                break;
            }
            BootRecord boot = interpreter.Finish(exit);
            int? next = run.Absorb(boot, from);
            if (next is null)
                break;
            from = next.Value;
        }
        return run.Result(clock.Elapsed);
    }

    public static RunResult Run(QemuConfiguration configuration, string imagePath, string filter = "") =>
        RunAsync(configuration, imagePath, filter).GetAwaiter().GetResult();

    private static RunResult Unbootable(QemuConfiguration configuration, RunVerdict verdict, string message) => new()
    {
        Configuration = configuration,
        Verdict = verdict,
        Message = $"{configuration.Name}: {Describe(verdict)}: {message}",
        Problems = [message],
    };

    public static string Describe(RunVerdict verdict) => verdict switch
    {
        RunVerdict.AllPassed => "all passed",
        RunVerdict.SomeFailed => "some tests failed",
        RunVerdict.TruncatedOrGarbled => "truncated or garbled output",
        RunVerdict.KernelPanic => "kernel panic",
        RunVerdict.CpuFault => "CPU fault",
        RunVerdict.TripleFaultOrReset => "triple fault or reset",
        RunVerdict.Hang => "hang",
        RunVerdict.QemuFailedToStart => "QEMU failed to start",
        RunVerdict.ImageMissing => "kernel image missing",
        RunVerdict.QemuMissing => "QEMU missing",
        _ => verdict.ToString(),
    };

    /// <summary>The results of all boots so far, merged by test index.</summary>
    private sealed class RunState(QemuConfiguration configuration)
    {
        private readonly SortedDictionary<int, string> _plan = new();
        private readonly SortedDictionary<int, KernelTestResult> _results = new();
        private readonly List<(RunVerdict Verdict, string Message)> _incidents = new();
        private readonly List<RejectedEvent> _rejected = new();
        private int _crashRestarts;
        private string? _stopReason;
        private string? _panicMessage;
        private FaultEvent? _unexpectedFault;

        public List<BootRecord> Boots { get; } = new();

        public void Incident(RunVerdict verdict, string message) => _incidents.Add((verdict, message));

        /// <summary>Takes in one finished boot; returns the test index to resume from, or null when the run is over.</summary>
        public int? Absorb(BootRecord boot, int from)
        {
            Boots.Add(boot);
            string prefix = Boots.Count > 1 ? $"boot {boot.Number} ({boot.CommandLine}): " : "";
            foreach (string problem in boot.Problems)
                Incident(RunVerdict.TruncatedOrGarbled, prefix + problem);
            if (Boots.Count == 1)
                _rejected.AddRange(boot.Rejected);
            foreach (PlanEvent planned in boot.Plan)
            {
                if (_plan.TryGetValue(planned.Index, out string? earlier) && earlier != planned.Name)
                    Incident(RunVerdict.TruncatedOrGarbled, $"{prefix}test {planned.Index} is {planned.Name}, an earlier boot called it {earlier}");
                else
                    _plan[planned.Index] = planned.Name;
            }
            foreach (TestObservation observed in boot.Results)
                Record(FromObservation(observed, boot.Number), prefix);
            _panicMessage ??= boot.Panic?.Message;

            if (boot.Ending == BootEnding.Completed)
                return null;

            bool expectedEnding = false;
            if (boot.Interrupted is { } interrupted)
            {
                (KernelTestResult verdict, expectedEnding) = JudgeInterrupted(boot, interrupted);
                Record(verdict, prefix);
            }
            if (!expectedEnding)
            {
                Incident(VerdictOf(boot.Ending), prefix + boot.EndingMessage);
                if (boot.Ending == BootEnding.CpuFault)
                    _unexpectedFault ??= boot.Fault;
            }

            if (boot.Ending == BootEnding.QemuFailedToStart)
                return Stop("QEMU failed to start");
            if (boot.Interrupted is null)
                return Stop($"boot {boot.Number} ended outside any test ({boot.EndingMessage})");
            if (boot.Interrupted.Index < from)
                return Stop($"boot {boot.Number} ran test {boot.Interrupted.Index}, before test-from={from}");
            if (!expectedEnding && ++_crashRestarts > configuration.MaxCrashRestarts)
                return Stop($"the run gave up after {configuration.MaxCrashRestarts} restarts after crashes");
            int next = boot.Interrupted.Index + 1;
            if (!_plan.Keys.Any(index => index >= next))
                return null;
            if (Boots.Count > _plan.Count + configuration.MaxCrashRestarts + 1)
            {
                Incident(RunVerdict.TruncatedOrGarbled, "more boots than tests: the kernel is not making progress");
                return Stop("the kernel was not making progress");
            }
            return next;
        }

        public RunResult Result(TimeSpan duration)
        {
            foreach ((int index, string name) in _plan)
            {
                if (!_results.ContainsKey(index))
                    _results[index] = new KernelTestResult
                    {
                        Index = index,
                        FullName = name,
                        Status = KernelTestStatus.NotRun,
                        Message = $"not run: {_stopReason ?? "the run ended before this test"}",
                    };
            }
            KernelTestResult[] tests = _results.Values.ToArray();
            RunVerdict verdict = _incidents.Count > 0 ? _incidents.Max(i => i.Verdict) : RunVerdict.AllPassed;
            if (verdict == RunVerdict.AllPassed
                && (tests.Any(t => t.Status is KernelTestStatus.Failed or KernelTestStatus.NotRun) || _rejected.Count > 0))
            {
                verdict = RunVerdict.SomeFailed;
            }
            string[] problems = _incidents.OrderByDescending(i => i.Verdict).Select(i => i.Message).Distinct().ToArray();
            if (_rejected.Count > 0)
                problems = [.. problems, .. _rejected.Select(r => $"registration rejected ({r.Reason}): suite '{r.Suite}' test '{r.Test}'")];
            return new RunResult
            {
                Configuration = configuration,
                Verdict = verdict,
                Message = Message(verdict, tests, problems, duration),
                Tests = tests,
                Boots = Boots.ToArray(),
                Problems = problems,
                Rejected = _rejected.ToArray(),
                PanicMessage = _panicMessage,
                UnexpectedFault = _unexpectedFault,
                Duration = duration,
            };
        }

        private string Message(RunVerdict verdict, KernelTestResult[] tests, string[] problems, TimeSpan duration)
        {
            int passed = tests.Count(t => t.Status == KernelTestStatus.Passed);
            int failed = tests.Count(t => t.Status == KernelTestStatus.Failed);
            int skipped = tests.Count(t => t.Status == KernelTestStatus.Skipped);
            int notRun = tests.Count(t => t.Status == KernelTestStatus.NotRun);
            string counts = $"{passed} passed, {failed} failed, {skipped} skipped"
                + (notRun > 0 ? $", {notRun} not run" : "")
                + string.Create(CultureInfo.InvariantCulture, $" in {Boots.Count} boot{(Boots.Count == 1 ? "" : "s")}, {duration.TotalSeconds:0.0} s");
            string head = $"{configuration.Name}: {Describe(verdict)} ({counts})";
            if (verdict == RunVerdict.SomeFailed)
            {
                IEnumerable<string> names = tests.Where(t => t.Status is KernelTestStatus.Failed or KernelTestStatus.NotRun)
                    .Take(5).Select(t => t.FullName);
                string rejected = _rejected.Count > 0 ? $"; {_rejected.Count} registrations rejected" : "";
                return $"{head}: {string.Join(", ", names)}{rejected}";
            }
            return problems.Length > 0 ? $"{head}: {problems[0]}" : head;
        }

        private void Record(KernelTestResult result, string prefix)
        {
            if (_results.ContainsKey(result.Index))
                Incident(RunVerdict.TruncatedOrGarbled, $"{prefix}test {result.Index} {result.FullName} reported twice");
            _results[result.Index] = result;
        }

        private int? Stop(string reason)
        {
            _stopReason = reason;
            return null;
        }

        private static (KernelTestResult, bool ExpectedEnding) JudgeInterrupted(BootRecord boot, InterruptedTest test)
        {
            var result = new KernelTestResult
            {
                Index = test.Index,
                FullName = test.Name,
                Status = KernelTestStatus.Failed,
                Expectation = test.Expectation,
                FaultLine = boot.Fault?.Line ?? "",
                Duration = boot.Exit.Elapsed - test.StartedAt,
                Boot = boot.Number,
                Message = test.Expectation is { } wanted
                    ? $"expected {wanted.Describe()}, but {boot.EndingMessage}"
                    : boot.EndingMessage,
            };
            if (boot.Ending != BootEnding.CpuFault || boot.Fault is null || test.Expectation is not { } expectation)
                return (result, false);

            FaultInfo fault = boot.Fault.Fault;
            FaultMismatch mismatch = expectation.Mismatch(fault);
            if (mismatch == FaultMismatch.None)
                return (result with { Status = KernelTestStatus.Passed, Message = $"ended in the expected fault: {boot.Fault.Line}" }, true);
            // The test asked for a fault and got a different one: its own failure, not a kernel crash.
            return (result with { Message = $"expected {expectation.Describe()}, but got {DescribeMismatch(mismatch, fault)}: {boot.Fault.Line}" }, true);
        }

        private static string DescribeMismatch(FaultMismatch mismatch, in FaultInfo fault) => mismatch switch
        {
            FaultMismatch.Vector => $"{CpuExceptionInfo.Mnemonic(fault.Vector)} ({CpuExceptionInfo.Name(fault.Vector)}, vector {fault.Vector})",
            FaultMismatch.MissingErrorCode => "a fault without an error code",
            FaultMismatch.ErrorBitsNotSet or FaultMismatch.ErrorBitsNotClear => $"error code 0x{fault.ErrorCode:x}",
            FaultMismatch.Address => $"CR2 0x{fault.Cr2:x}",
            _ => "a different fault",
        };

        private static KernelTestResult FromObservation(TestObservation observed, int boot) => new()
        {
            Index = observed.Index,
            FullName = observed.Name,
            Status = observed.Outcome switch
            {
                TestOutcome.Passed => KernelTestStatus.Passed,
                TestOutcome.Failed => KernelTestStatus.Failed,
                _ => KernelTestStatus.Skipped,
            },
            Message = observed.Message,
            File = observed.File,
            Line = observed.Line,
            FailedAssertions = observed.FailedAssertions,
            Duration = observed.Duration,
            Boot = boot,
        };

        private static RunVerdict VerdictOf(BootEnding ending) => ending switch
        {
            BootEnding.Completed => RunVerdict.AllPassed,
            BootEnding.CpuFault => RunVerdict.CpuFault,
            BootEnding.KernelPanic => RunVerdict.KernelPanic,
            BootEnding.TripleFaultOrReset => RunVerdict.TripleFaultOrReset,
            BootEnding.Hang => RunVerdict.Hang,
            BootEnding.QemuFailedToStart => RunVerdict.QemuFailedToStart,
            _ => RunVerdict.TruncatedOrGarbled,
        };
    }
}
