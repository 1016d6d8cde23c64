using System;
using System.Collections.Generic;
using StrixOS.Boot;
using Xunit;

namespace StrixOS.Tests.Boot;

/// <summary>
/// The command line scans its text for each query instead of keeping CoreLib's split words: these compare
/// it with that earlier form (trim, split on spaces dropping empty words, prefix match) as the oracle.
/// </summary>
public class CommandLineTests
{
    private sealed class SplitOracle
    {
        private readonly string[] _words;

        public SplitOracle(string text)
        {
            Text = text.Trim();
            _words = Text.Length == 0 ? [] : Text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }

        public string Text { get; }

        public static SplitOracle Join(string? first, string? second) => new(((first ?? "") + " " + (second ?? "")).Trim());

        public bool Has(string word)
        {
            foreach (string w in _words)
                if (w == word || (w.Length > word.Length && w[word.Length] == '=' && w.StartsWith(word, StringComparison.Ordinal)))
                    return true;
            return false;
        }

        public bool TryGetValue(string key, out string value)
        {
            foreach (string w in _words)
            {
                if (w.Length > key.Length && w[key.Length] == '=' && w.StartsWith(key, StringComparison.Ordinal))
                {
                    value = w.Substring(key.Length + 1);
                    return true;
                }
            }
            value = "";
            return false;
        }
    }

    private static readonly string[] Keys = ["", "a", "ab", "test", "strix.idle", "strix.hold", "bench", "=", "a=b", "x y"];

    private static void AssertSameAsOracle(CommandLine line, SplitOracle oracle)
    {
        Assert.Equal(oracle.Text, line.Text);
        foreach (string key in Keys)
        {
            Assert.True(oracle.Has(key) == line.Has(key), $"Has(\"{key}\") on \"{line.Text}\"");
            bool found = oracle.TryGetValue(key, out string expected);
            Assert.True(found == line.TryGetValue(key, out string actual), $"TryGetValue(\"{key}\") on \"{line.Text}\"");
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("test")]
    [InlineData("  strix.idle  bench=gc ")]
    [InlineData("a=1 a=2 a")]
    [InlineData("ab=x a b=")]
    [InlineData("=x == a==b")]
    [InlineData("\ttest\t strix.hold=memory-report\n")]
    [InlineData("test\tbench=x")]
    public void WordsAndValuesAreAsSplittingFoundThem(string text)
    {
        AssertSameAsOracle(new CommandLine(text), new SplitOracle(text));
    }

    [Fact]
    public void RandomLinesAndJoinsMatchTheSplitForm()
    {
        var random = new Random(17_4);
        string[] pieces = ["a", "b", "ab", "=", "test", "strix.idle", "strix.hold", "bench", "gc", " ", "  ", "\t", "\n", "x"];
        for (int round = 0; round < 3000; round++)
        {
            string first = Make(random, pieces);
            string second = Make(random, pieces);
            AssertSameAsOracle(new CommandLine(first), new SplitOracle(first));
            string? a = random.Next(4) == 0 ? null : first;
            string? b = random.Next(4) == 0 ? null : second;
            AssertSameAsOracle(CommandLine.Join(a, b), SplitOracle.Join(a, b));
        }
    }

    private static string Make(Random random, string[] pieces)
    {
        var parts = new List<string>();
        int count = random.Next(8);
        for (int i = 0; i < count; i++)
            parts.Add(pieces[random.Next(pieces.Length)]);
        return string.Concat(parts);
    }
}
