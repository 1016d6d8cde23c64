using System;
using StrixOS.Cpu;

namespace StrixOS.Testing;

/// <summary>
/// Runs the selected in-kernel tests in registration order and reports each through the
/// protocol. An exception a test does not catch fails that test (type, message, stack trace) and the
/// run continues; a test that panics or faults unexpectedly ends the kernel, and the host runner,
/// which saw the test-start line, reboots it past that test (docs/testing.md).
/// </summary>
public static unsafe class TestRunner
{
    public static TestRunSummary Run(TestRegistry registry, in TestCommandLine commandLine, ITestOutput output) =>
        Run(registry, commandLine, output, catcher: null);

    /// <param name="registry">The tests the kernel was built with.</param>
    /// <param name="commandLine">Which tests to run (<c>test=</c>) and how.</param>
    /// <param name="output">Where the protocol lines go (the serial port in the kernel).</param>
    /// <param name="catcher">Runs bodies so that expected faults are survived and judged in this boot;
    /// null: a fault ends the kernel and the host judges it (docs/testing.md, "Expected faults").</param>
    public static TestRunSummary Run(TestRegistry registry, in TestCommandLine commandLine, ITestOutput output, IFaultCatcher? catcher)
    {
        if (commandLine.Error != TestCommandLineError.None)
        {
            output.WriteLine(TestProtocol.FormatPanic(commandLine.DescribeError()));
            return new TestRunSummary { CommandLineError = commandLine.Error };
        }

        int selected = CountSelected(registry, commandLine);
        output.WriteLine(TestProtocol.Hello(registry.TestCount, selected, commandLine.From,
            commandLine.Filter.Text ?? "*", registry.RejectedCount));
        for (int i = 0; i < registry.RejectedCount; i++)
        {
            RejectedRegistration rejected = registry.Rejected(i);
            output.WriteLine(TestProtocol.Rejected(rejected.Suite, rejected.Test, rejected.ReasonText));
        }
        WritePlan(registry, commandLine, output);

        var context = new TestContext();
        var totals = new Tally();
        int index = 0;
        for (int s = 0; s < registry.SuiteCount; s++)
        {
            TestSuite suite = registry.Suite(s);
            int inSuite = 0;
            for (int t = 0; t < suite.Count; t++)
            {
                if (IsSelected(index + t, suite[t], commandLine))
                    inSuite++;
            }
            if (inSuite > 0)
            {
                output.WriteLine(TestProtocol.SuiteStart(suite.Name, inSuite));
                var suiteTally = new Tally();
                for (int t = 0; t < suite.Count; t++)
                {
                    if (IsSelected(index + t, suite[t], commandLine))
                        RunOne(index + t, suite[t], context, output, catcher, ref suiteTally);
                }
                output.WriteLine(TestProtocol.SuiteEnd(suite.Name, suiteTally.Passed, suiteTally.Failed, suiteTally.Skipped));
                totals.Add(suiteTally);
            }
            index += suite.Count;
        }

        output.WriteLine(TestProtocol.End(totals.Passed, totals.Failed, totals.Skipped, registry.RejectedCount));
        return new TestRunSummary
        {
            Selected = selected,
            Passed = totals.Passed,
            Failed = totals.Failed,
            Skipped = totals.Skipped,
            Rejected = registry.RejectedCount,
        };
    }

    private static void RunOne(int index, in TestCase test, TestContext context, ITestOutput output, IFaultCatcher? catcher, ref Tally tally)
    {
        context.Reset(test.FullName);
        output.WriteLine(test.ExpectsFault
            ? TestProtocol.TestStart(index, test.FullName, test.Expectation)
            : TestProtocol.TestStart(index, test.FullName));

        bool returned;
        FaultInfo fault = default;
        try
        {
            returned = catcher is null ? RunBody(test, context) : catcher.TryRun(test, context, out fault);
        }
        catch (Exception e) when (e is not IEndsTheKernel)
        {
            // An exception the body did not catch fails this test; the run goes on with the next one.
            context.Fail(UnhandledTestException.Describe(e), test.RegisteredFile, test.RegisteredLine);
            WriteResult(index, test, context, output, ref tally);
            return;
        }
        if (!returned)
        {
            // The kernel already printed the fault line; judge it against the expectation here.
            FaultMismatch mismatch = test.ExpectsFault ? test.Expectation.Mismatch(fault) : FaultMismatch.Vector;
            if (!test.ExpectsFault)
                context.Fail($"unexpected CPU fault {CpuExceptionInfo.Mnemonic(fault.Vector)}", test.RegisteredFile, test.RegisteredLine);
            else if (mismatch != FaultMismatch.None)
                context.Fail($"expected {test.Expectation.Describe()}, but got vector {fault.Vector} error 0x{fault.ErrorCode:x} CR2 0x{fault.Cr2:x}",
                    test.RegisteredFile, test.RegisteredLine);
            WriteResult(index, test, context, output, ref tally);
            return;
        }

        // Reaching this line in an expected-fault test means the fault never came.
        if (test.ExpectsFault && context.Outcome == TestOutcome.Passed)
        {
            context.Fail($"expected {test.Expectation.Describe()}, but the test returned without a fault",
                test.RegisteredFile, test.RegisteredLine);
        }
        WriteResult(index, test, context, output, ref tally);
    }

    private static bool RunBody(in TestCase test, TestContext context)
    {
        test.Body(context);
        return true;
    }

    private static void WriteResult(int index, in TestCase test, TestContext context, ITestOutput output, ref Tally tally)
    {
        switch (context.Outcome)
        {
            case TestOutcome.Passed:
                output.WriteLine(TestProtocol.Pass(index, test.FullName));
                tally.Passed++;
                break;
            case TestOutcome.Skipped:
                output.WriteLine(TestProtocol.Skip(index, test.FullName, context.SkipReason));
                tally.Skipped++;
                break;
            default:
                output.WriteLine(TestProtocol.Fail(index, test.FullName, context.FailureMessage,
                    context.FailureFile, context.FailureLine, context.FailedAssertions));
                tally.Failed++;
                break;
        }
    }

    /// <summary>The selected tests, before any runs, so the host knows every name even if the kernel dies early.</summary>
    private static void WritePlan(TestRegistry registry, in TestCommandLine commandLine, ITestOutput output)
    {
        int index = 0;
        for (int s = 0; s < registry.SuiteCount; s++)
        {
            TestSuite suite = registry.Suite(s);
            for (int t = 0; t < suite.Count; t++, index++)
            {
                if (IsSelected(index, suite[t], commandLine))
                    output.WriteLine(TestProtocol.Plan(index, suite[t].FullName));
            }
        }
    }

    private static int CountSelected(TestRegistry registry, in TestCommandLine commandLine)
    {
        int count = 0, index = 0;
        for (int s = 0; s < registry.SuiteCount; s++)
        {
            TestSuite suite = registry.Suite(s);
            for (int t = 0; t < suite.Count; t++, index++)
            {
                if (IsSelected(index, suite[t], commandLine))
                    count++;
            }
        }
        return count;
    }

    private static bool IsSelected(int index, in TestCase test, in TestCommandLine commandLine) =>
        index >= commandLine.From && commandLine.Filter.Matches(test.FullName);

    private struct Tally
    {
        public int Passed;
        public int Failed;
        public int Skipped;

        public void Add(Tally other)
        {
            Passed += other.Passed;
            Failed += other.Failed;
            Skipped += other.Skipped;
        }
    }
}
