using System;

namespace StrixOS.Testing;

/// <summary>
/// The test words of the kernel command line (docs/testing.md): <c>test</c> runs every in-kernel
/// test; <c>test=GLOBS</c> runs those whose "Suite.Test" matches; <c>test-from=N</c> starts at test
/// index N (the host runner resumes so after an expected fault). Other words belong to the rest of
/// the kernel and are ignored here.
/// </summary>
public readonly struct TestCommandLine
{
    public const string RunWord = "test";
    public const string FilterPrefix = "test=";
    public const string FromPrefix = "test-from=";

    public bool RunsTests { get; init; }
    public TestNamePattern Filter { get; init; }
    public int From { get; init; }
    public TestCommandLineError Error { get; init; }

    /// <summary>The offending word when <see cref="Error"/> is set.</summary>
    public string ErrorWord { get; init; }

    public static TestCommandLine Parse(string? commandLine)
    {
        var result = new TestCommandLine { Filter = TestNamePattern.All, ErrorWord = "" };
        ReadOnlySpan<char> rest = (commandLine ?? "").AsSpan();
        while (true)
        {
            rest = rest.TrimStart(" \t");
            if (rest.IsEmpty)
                return result;
            int end = rest.IndexOfAny(' ', '\t');
            ReadOnlySpan<char> word = end < 0 ? rest : rest.Slice(0, end);
            rest = end < 0 ? default : rest.Slice(end);
            result = result.With(word);
            if (result.Error != TestCommandLineError.None)
                return result;
        }
    }

    public string DescribeError() => Error switch
    {
        TestCommandLineError.None => "",
        TestCommandLineError.EmptyFilter => $"test command line: '{ErrorWord}' has no pattern (write test=Suite.* or just test)",
        TestCommandLineError.InvalidFrom => $"test command line: '{ErrorWord}' needs a non-negative test index",
        TestCommandLineError.UnknownTestWord => $"test command line: unknown word '{ErrorWord}' (known: test, test=GLOBS, test-from=N)",
        _ => "test command line: unknown error",
    };

    private TestCommandLine With(ReadOnlySpan<char> word)
    {
        if (word.SequenceEqual(RunWord))
            return this with { RunsTests = true };
        if (word.StartsWith(FilterPrefix, StringComparison.Ordinal))
        {
            ReadOnlySpan<char> globs = word.Slice(FilterPrefix.Length);
            return globs.IsEmpty
                ? Failed(TestCommandLineError.EmptyFilter, word)
                : this with { RunsTests = true, Filter = new TestNamePattern(new string(globs)) };
        }
        if (word.StartsWith(FromPrefix, StringComparison.Ordinal))
        {
            return TryParseIndex(word.Slice(FromPrefix.Length), out int from)
                ? this with { RunsTests = true, From = from }
                : Failed(TestCommandLineError.InvalidFrom, word);
        }
        if (word.StartsWith("test-", StringComparison.Ordinal))
            return Failed(TestCommandLineError.UnknownTestWord, word);
        return this;
    }

    private TestCommandLine Failed(TestCommandLineError error, ReadOnlySpan<char> word) =>
        this with { RunsTests = true, Error = error, ErrorWord = new string(word) };

    private static bool TryParseIndex(ReadOnlySpan<char> digits, out int value)
    {
        value = 0;
        if (digits.IsEmpty || digits.Length > 9)
            return false;
        foreach (char c in digits)
        {
            if (c is < '0' or > '9')
                return false;
            value = value * 10 + (c - '0');
        }
        return true;
    }
}
