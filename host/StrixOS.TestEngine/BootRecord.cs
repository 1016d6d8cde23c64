using System;
using System.Collections.Generic;

namespace StrixOS.Tests.Runner;

/// <summary>Everything one boot produced: its ending, the protocol events it got through, and the raw transcript.</summary>
public sealed record BootRecord
{
    public required int Number { get; init; }
    public required string CommandLine { get; init; }
    public required BootExit Exit { get; init; }
    public required BootEnding Ending { get; init; }

    /// <summary>One sentence for people: why the boot ended so.</summary>
    public required string EndingMessage { get; init; }

    public HelloEvent? Hello { get; init; }
    public IReadOnlyList<PlanEvent> Plan { get; init; } = [];
    public IReadOnlyList<RejectedEvent> Rejected { get; init; } = [];
    public IReadOnlyList<TestObservation> Results { get; init; } = [];
    public InterruptedTest? Interrupted { get; init; }
    public FaultEvent? Fault { get; init; }
    public PanicEvent? Panic { get; init; }
    public EndEvent? End { get; init; }

    /// <summary>Protocol violations (malformed or out-of-order lines, inconsistent counts), each with its line number.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    public string Transcript { get; init; } = "";
    public TimeSpan Duration => Exit.Elapsed;
}
