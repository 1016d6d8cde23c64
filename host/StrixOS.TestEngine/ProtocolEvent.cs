using StrixOS.Testing;

namespace StrixOS.Tests.Runner;

/// <summary>One protocol line of the kernel's serial output, typed (docs/testing.md lists them all).</summary>
public abstract record ProtocolEvent;

public sealed record HelloEvent(int Protocol, int Registered, int Selected, int From, int Rejected, string Filter) : ProtocolEvent;

public sealed record RejectedEvent(string Suite, string Test, string Reason) : ProtocolEvent;

public sealed record PlanEvent(int Index, string Name) : ProtocolEvent;

public sealed record SuiteStartEvent(string Suite, int Tests) : ProtocolEvent;

public sealed record TestStartEvent(int Index, string Name, FaultExpectation? Expectation) : ProtocolEvent;

public sealed record TestPassEvent(int Index, string Name) : ProtocolEvent;

public sealed record TestFailEvent(int Index, string Name, string File, int Line, int FailedAssertions, string Message) : ProtocolEvent;

public sealed record TestSkipEvent(int Index, string Name, string Reason) : ProtocolEvent;

public sealed record SuiteEndEvent(string Suite, int Passed, int Failed, int Skipped) : ProtocolEvent;

public sealed record EndEvent(int Passed, int Failed, int Skipped, int Rejected, bool Success) : ProtocolEvent;

public sealed record FaultEvent(FaultInfo Fault, string Line) : ProtocolEvent;

public sealed record PanicEvent(string Message) : ProtocolEvent;
