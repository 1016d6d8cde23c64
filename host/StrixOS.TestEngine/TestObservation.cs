using System;
using StrixOS.Testing;

namespace StrixOS.Tests.Runner;

/// <summary>A test result the kernel reported itself (a pass, fail or skip line).</summary>
public sealed record TestObservation(
    int Index, string Name, TestOutcome Outcome, string Message, string File, int Line, int FailedAssertions, TimeSpan Duration);

/// <summary>A test that started but never reported: the boot ended inside it.</summary>
public sealed record InterruptedTest(int Index, string Name, FaultExpectation? Expectation, TimeSpan StartedAt);
