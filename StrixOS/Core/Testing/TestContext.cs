using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace StrixOS.Testing;

/// <summary>
/// Handed to every in-kernel test. The kernel has no exception handling, so an assertion never
/// throws: a failed one records the failure (the first failure's message, file and line are kept)
/// and returns false, and the test decides whether to go on: <c>if (!t.Equal(4096ul, size)) return;</c>.
/// The runner reads the outcome after the test returns and goes on to the next test.
/// </summary>
public sealed class TestContext
{
    public TestContext(string testName = "")
    {
        TestName = testName;
    }

    /// <summary>"Suite.Test" of the test running now.</summary>
    public string TestName { get; private set; }

    public TestOutcome Outcome { get; private set; } = TestOutcome.Passed;

    /// <summary>How many assertions failed; the first one's details are below.</summary>
    public int FailedAssertions { get; private set; }

    public string FailureMessage { get; private set; } = "";
    public string FailureFile { get; private set; } = "";
    public int FailureLine { get; private set; }
    public string SkipReason { get; private set; } = "";

    /// <summary>Makes the context ready for the next test (one context serves a whole run: no allocation per test).</summary>
    public void Reset(string testName)
    {
        TestName = testName;
        Outcome = TestOutcome.Passed;
        FailedAssertions = 0;
        FailureMessage = "";
        FailureFile = "";
        FailureLine = 0;
        SkipReason = "";
    }

    public bool Equal(ulong expected, ulong actual,
        [CallerArgumentExpression(nameof(actual))] string actualExpression = "",
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        expected == actual || Failed($"Equal failed for {actualExpression}: expected {ValueText.Of(expected)}, actual {ValueText.Of(actual)}", file, line);

    public bool Equal(long expected, long actual,
        [CallerArgumentExpression(nameof(actual))] string actualExpression = "",
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        expected == actual || Failed($"Equal failed for {actualExpression}: expected {ValueText.Of(expected)}, actual {ValueText.Of(actual)}", file, line);

    public bool Equal(int expected, int actual,
        [CallerArgumentExpression(nameof(actual))] string actualExpression = "",
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        expected == actual || Failed($"Equal failed for {actualExpression}: expected {ValueText.Of(expected)}, actual {ValueText.Of(actual)}", file, line);

    public bool Equal(bool expected, bool actual,
        [CallerArgumentExpression(nameof(actual))] string actualExpression = "",
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        expected == actual || Failed($"Equal failed for {actualExpression}: expected {ValueText.Of(expected)}, actual {ValueText.Of(actual)}", file, line);

    public bool Equal(string? expected, string? actual,
        [CallerArgumentExpression(nameof(actual))] string actualExpression = "",
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        string.Equals(expected, actual, StringComparison.Ordinal)
        || Failed($"Equal failed for {actualExpression}: expected {ValueText.Of(expected)}, actual {ValueText.Of(actual)}{ValueText.FirstDifference(expected, actual)}", file, line);

    /// <summary>Any equatable value (no boxing). Enums do not implement IEquatable: compare them as integers.</summary>
    public bool Equal<T>(T expected, T actual,
        [CallerArgumentExpression(nameof(actual))] string actualExpression = "",
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
        where T : IEquatable<T> =>
        AreEqual(expected, actual)
        || Failed($"Equal failed for {actualExpression}: expected {ValueText.Of(expected)}, actual {ValueText.Of(actual)}", file, line);

    public bool NotEqual(ulong unexpected, ulong actual,
        [CallerArgumentExpression(nameof(actual))] string actualExpression = "",
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        unexpected != actual || Failed($"NotEqual failed for {actualExpression}: both are {ValueText.Of(actual)}", file, line);

    public bool NotEqual(long unexpected, long actual,
        [CallerArgumentExpression(nameof(actual))] string actualExpression = "",
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        unexpected != actual || Failed($"NotEqual failed for {actualExpression}: both are {ValueText.Of(actual)}", file, line);

    public bool NotEqual(int unexpected, int actual,
        [CallerArgumentExpression(nameof(actual))] string actualExpression = "",
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        unexpected != actual || Failed($"NotEqual failed for {actualExpression}: both are {ValueText.Of(actual)}", file, line);

    public bool NotEqual(string? unexpected, string? actual,
        [CallerArgumentExpression(nameof(actual))] string actualExpression = "",
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        !string.Equals(unexpected, actual, StringComparison.Ordinal)
        || Failed($"NotEqual failed for {actualExpression}: both are {ValueText.Of(actual)}", file, line);

    public bool NotEqual<T>(T unexpected, T actual,
        [CallerArgumentExpression(nameof(actual))] string actualExpression = "",
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
        where T : IEquatable<T> =>
        !AreEqual(unexpected, actual) || Failed($"NotEqual failed for {actualExpression}: both are {ValueText.Of(actual)}", file, line);

    public bool True(bool condition, string? message = null,
        [CallerArgumentExpression(nameof(condition))] string conditionExpression = "",
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        condition || Failed(WithMessage($"True failed: {conditionExpression} is false", message), file, line);

    public bool False(bool condition, string? message = null,
        [CallerArgumentExpression(nameof(condition))] string conditionExpression = "",
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        !condition || Failed(WithMessage($"False failed: {conditionExpression} is true", message), file, line);

    public bool Null(object? value,
        [CallerArgumentExpression(nameof(value))] string valueExpression = "",
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        value is null || Failed($"Null failed: {valueExpression} is not null", file, line);

    public bool NotNull([NotNullWhen(true)] object? value,
        [CallerArgumentExpression(nameof(value))] string valueExpression = "",
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        value is not null || Failed($"NotNull failed: {valueExpression} is null", file, line);

    /// <summary>Fails the test unconditionally; always returns false.</summary>
    public bool Fail(string message, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        Failed(message, file, line);

    /// <summary>Marks the test skipped (a failure recorded earlier still wins). Return from the test after it.</summary>
    public void Skip(string reason)
    {
        if (Outcome == TestOutcome.Failed)
            return;
        Outcome = TestOutcome.Skipped;
        SkipReason = reason;
    }

    private bool Failed(string message, string file, int line)
    {
        FailedAssertions++;
        if (Outcome != TestOutcome.Failed)
        {
            Outcome = TestOutcome.Failed;
            FailureMessage = message;
            FailureFile = file;
            FailureLine = line;
        }
        return false;
    }

    // A null reference-type T must not be dereferenced: that would be a kernel panic, not a failure.
    private static bool AreEqual<T>(T left, T right) where T : IEquatable<T> =>
        left is null ? right is null : left.Equals(right);

    private static string WithMessage(string text, string? message) =>
        message is { Length: > 0 } ? $"{text}: {message}" : text;
}
