using System.Text.RegularExpressions;
using CsCheck;
using StrixOS.Testing;
using Xunit;

namespace StrixOS.Tests.Runner;

/// <summary>The kernel command line's test words and the name globs.</summary>
public sealed class TestSelectionTests
{
    [Theory]
    [InlineData("", false, "*", 0, TestCommandLineError.None)]
    [InlineData("quiet log=debug", false, "*", 0, TestCommandLineError.None)]
    [InlineData("test", true, "*", 0, TestCommandLineError.None)]
    [InlineData("  test\t", true, "*", 0, TestCommandLineError.None)]
    [InlineData("test=Memory.*", true, "Memory.*", 0, TestCommandLineError.None)]
    [InlineData("test=Memory.*,Boot.* test-from=17", true, "Memory.*,Boot.*", 17, TestCommandLineError.None)]
    [InlineData("test-from=3", true, "*", 3, TestCommandLineError.None)]
    [InlineData("tests", false, "*", 0, TestCommandLineError.None)]
    [InlineData("test=", true, "*", 0, TestCommandLineError.EmptyFilter)]
    [InlineData("test test-from=", true, "*", 0, TestCommandLineError.InvalidFrom)]
    [InlineData("test test-from=-1", true, "*", 0, TestCommandLineError.InvalidFrom)]
    [InlineData("test test-from=9999999999", true, "*", 0, TestCommandLineError.InvalidFrom)]
    [InlineData("test-form=3", true, "*", 0, TestCommandLineError.UnknownTestWord)]
    public void CommandLineWords(string commandLine, bool runs, string filter, int from, TestCommandLineError error)
    {
        TestCommandLine parsed = TestCommandLine.Parse(commandLine);
        Assert.Equal(runs, parsed.RunsTests);
        Assert.Equal(filter, parsed.Filter.Text);
        Assert.Equal(from, parsed.From);
        Assert.Equal(error, parsed.Error);
        Assert.Equal(error != TestCommandLineError.None, parsed.DescribeError().Length > 0);
    }

    [Theory]
    [InlineData("*", "A.B", true)]
    [InlineData("A.*", "A.B", true)]
    [InlineData("A.*", "AB.C", false)]
    [InlineData("*.Frame?", "Memory.Frame1", true)]
    [InlineData("*.Frame?", "Memory.Frame", false)]
    [InlineData("*a*b*", "xaybz", true)]
    [InlineData("*a*b", "xaybz", false)]
    [InlineData("Boot.*,Memory.Map", "Memory.Map", true)]
    [InlineData("Boot.*,,Memory.Map", "Memory.Maps", false)]
    [InlineData("memory.*", "Memory.Map", false)]
    public void GlobsMatchFullNames(string globs, string name, bool matches) =>
        Assert.Equal(matches, new TestNamePattern(globs).Matches(name));

    [Fact]
    public void GlobAgreesWithARegexOracle()
    {
        var alphabet = Gen.Char["ab.*?"];
        var textAlphabet = Gen.Char["ab."];
        Gen.Select(alphabet.Array[0, 8], textAlphabet.Array[0, 10]).Sample((globChars, textChars) =>
        {
            string glob = new(globChars);
            string text = new(textChars);
            string regex = "^" + Regex.Escape(glob).Replace("\\*", ".*").Replace("\\?", ".") + "$";
            Assert.Equal(Regex.IsMatch(text, regex, RegexOptions.Singleline), TestNamePattern.GlobMatches(glob, text));
        }, iter: 5000);
    }

    [Theory]
    [InlineData("Memory", true)]
    [InlineData("Frame_2", true)]
    [InlineData("_x", true)]
    [InlineData("", false)]
    [InlineData("2Fast", false)]
    [InlineData("with space", false)]
    [InlineData("Dotted.Name", false)]
    [InlineData("Caf\u00e9", false)]
    public void NamesAreIdentifiers(string name, bool valid) => Assert.Equal(valid, TestNames.IsValid(name));

    [Fact]
    public void NamesHaveALengthLimit()
    {
        Assert.True(TestNames.IsValid(new string('a', TestNames.MaximumLength)));
        Assert.False(TestNames.IsValid(new string('a', TestNames.MaximumLength + 1)));
    }
}
