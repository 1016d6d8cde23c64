using System;
using StrixOS.Testing;

namespace StrixOS.Tests.Runner;

/// <summary>The final word on one in-kernel test, across every boot of a run.</summary>
public sealed record KernelTestResult
{
    public required int Index { get; init; }

    /// <summary>"Suite.Test".</summary>
    public required string FullName { get; init; }

    public required KernelTestStatus Status { get; init; }

    /// <summary>The failure message, the skip reason, or for an expected fault what happened.</summary>
    public string Message { get; init; } = "";

    public string File { get; init; } = "";
    public int Line { get; init; }
    public int FailedAssertions { get; init; }
    public FaultExpectation? Expectation { get; init; }

    /// <summary>The fault report line that ended the test, if one did.</summary>
    public string FaultLine { get; init; } = "";

    public TimeSpan Duration { get; init; }

    /// <summary>The boot (1-based) that reported it; 0 when never run.</summary>
    public int Boot { get; init; }

    public string Suite => FullName.IndexOf('.') is var dot and > 0 ? FullName[..dot] : FullName;
    public string Name => FullName.IndexOf('.') is var dot and > 0 ? FullName[(dot + 1)..] : FullName;

    /// <summary>"file:line" when the kernel named a place.</summary>
    public string Location => File.Length == 0 ? "" : $"{File}:{Line}";
}
