using System;
using System.Runtime.CompilerServices;
using StrixOS.Cpu;
using StrixOS.Testing;

namespace StrixOS.Tests.Runner;

/// <summary>In-kernel test suites for the runner's self-tests, run by <see cref="SimulatedKernel"/>.</summary>
public static unsafe class SampleSuites
{
    /// <summary>The line of the failing assertion in FailsEqual (set on that same line when it runs).</summary>
    public static int FailingLine { get; private set; }

    public static readonly FaultInfo NullWriteFault = new()
    {
        Vector = 14, HasErrorCode = true, ErrorCode = 0x2, Cr2 = 0, Rip = 0xFFFFFFFF80001234, Rsp = 0xFFFFFFFF801D0000, Cr3 = 0x102000,
        MethodName = "StrixOS.Tests.NullWrite",
    };

    public static readonly FaultInfo GeneralProtectionFault = new() { Vector = 13, HasErrorCode = true, ErrorCode = 0, Rip = 0xFFFFFFFF80005678 };

    private static void Passes(TestContext t) => t.Equal(4, 2 + 2);
    private static void FailsEqual(TestContext t) { FailingLine = LineHere(); t.Equal(4096ul, 4097ul); }
    private static void Skips(TestContext t) => t.Skip("needs a NIC");
    private static void NullWrite(TestContext t) => throw new SimulatedKernel.Fault(NullWriteFault);
    private static void WrongFault(TestContext t) => throw new SimulatedKernel.Fault(GeneralProtectionFault);
    private static void ReturnsWithoutFault(TestContext t) => t.True(true);
    private static void Panics(TestContext t) => throw new SimulatedKernel.Panic("heap exhausted: request of 64 bytes, 0 bytes free");
    private static void Resets(TestContext t) => throw new SimulatedKernel.Reset();
    private static void ThrowsUncaught(TestContext t) => ThrowDeeper(2);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowDeeper(int depth)
    {
        if (depth == 0)
            throw new InvalidOperationException("thrown on purpose", new FormatException("the inner one"));
        ThrowDeeper(depth - 1);
    }

    /// <summary>Alpha: pass, fail, skip; Beta: pass.</summary>
    public static void Mixed(TestRegistry registry)
    {
        TestSuite alpha = registry.AddSuite("Alpha");
        alpha.Add("Passes", &Passes);
        alpha.Add("FailsEqual", &FailsEqual);
        alpha.Add("Skips", &Skips);
        TestSuite beta = registry.AddSuite("Beta");
        beta.Add("PassesToo", &Passes);
    }

    public static void AllPassing(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("Good");
        suite.Add("One", &Passes);
        suite.Add("Two", &Passes);
        suite.Add("Three", &Skips);
    }

    /// <summary>
    /// Faults: 0 Before (pass), 1 NullWrite (expects #PF write at 0, gets it), 2 Middle (pass),
    /// 3 WrongFault (expects #PF, gets #GP), 4 NoFault (expects #UD, returns), 5 After (pass).
    /// </summary>
    public static void ExpectedFaults(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("Faults");
        suite.Add("Before", &Passes);
        suite.AddExpectingFault("NullWrite", &NullWrite, FaultExpectation.PageFaultAt(0, set: PageFaultErrorBits.Write, clear: PageFaultErrorBits.Present));
        suite.Add("Middle", &Passes);
        suite.AddExpectingFault("WrongFault", &WrongFault, FaultExpectation.PageFault());
        suite.AddExpectingFault("NoFault", &ReturnsWithoutFault, FaultExpectation.Of(CpuException.InvalidOpcode));
        suite.Add("After", &Passes);
    }

    /// <summary>Crash: 0 Ok, 1 Panics, 2 AfterPanic.</summary>
    public static void Panicking(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("Crash");
        suite.Add("Ok", &Passes);
        suite.Add("Panics", &Panics);
        suite.Add("AfterPanic", &Passes);
    }

    /// <summary>Crash: 0 Ok, 1 Faults (no expectation), 2 AfterFault.</summary>
    public static void UnexpectedFault(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("Crash");
        suite.Add("Ok", &Passes);
        suite.Add("Faults", &NullWrite);
        suite.Add("AfterFault", &Passes);
    }

    /// <summary>Crash: 0 Ok, 1 Resets, 2 AfterReset.</summary>
    public static void Resetting(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("Crash");
        suite.Add("Ok", &Passes);
        suite.Add("Resets", &Resets);
        suite.Add("AfterReset", &Passes);
    }

    /// <summary>Crash: 0 Ok, 1 Throws (an exception it does not catch), 2 AfterThrow.</summary>
    public static void Throwing(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("Crash");
        suite.Add("Ok", &Passes);
        suite.Add("Throws", &ThrowsUncaught);
        suite.Add("AfterThrow", &Passes);
    }

    /// <summary>Four tests that all panic: more crashes than a run restarts after.</summary>
    public static void AlwaysPanicking(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("Doomed");
        suite.Add("A", &Panics);
        suite.Add("B", &Panics);
        suite.Add("C", &Panics);
        suite.Add("D", &Panics);
        suite.Add("E", &Passes);
    }

    public static void WithRejections(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("Good");
        suite.Add("One", &Passes);
        suite.Add("One", &Passes);
        suite.Add("bad name", &Passes);
        registry.AddSuite("Bad.Suite").Add("Ignored", &Passes);
    }

    private static int LineHere([CallerLineNumber] int line = 0) => line;
}
