using System;
using System.Collections.Generic;
using System.Linq;

namespace StrixOS.Tests.Runner;

/// <summary>What a kernel test run (one or more boots of one configuration) came to.</summary>
public sealed record RunResult
{
    public required QemuConfiguration Configuration { get; init; }
    public required RunVerdict Verdict { get; init; }

    /// <summary>One paragraph for people: the verdict and why.</summary>
    public required string Message { get; init; }

    public IReadOnlyList<KernelTestResult> Tests { get; init; } = [];
    public IReadOnlyList<BootRecord> Boots { get; init; } = [];

    /// <summary>Everything that went wrong besides failed assertions, most severe first.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    public IReadOnlyList<RejectedEvent> Rejected { get; init; } = [];
    public string? PanicMessage { get; init; }

    /// <summary>The first fault report no test expected.</summary>
    public FaultEvent? UnexpectedFault { get; init; }

    public TimeSpan Duration { get; init; }

    /// <summary>The run itself ended cleanly: every boot completed or ended in an expected fault.</summary>
    public bool EndedCleanly => Verdict is RunVerdict.AllPassed or RunVerdict.SomeFailed;

    public int Count(KernelTestStatus status) => Tests.Count(t => t.Status == status);

    public KernelTestResult? Find(string fullName) => Tests.FirstOrDefault(t => t.FullName == fullName);
}
