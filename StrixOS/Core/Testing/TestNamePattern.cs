using System;

namespace StrixOS.Testing;

/// <summary>
/// Which tests a run selects: one or more comma-separated globs over "Suite.Test", where '*'
/// matches any run of characters and '?' one character; case-sensitive. "*" selects everything.
/// </summary>
public readonly struct TestNamePattern
{
    public TestNamePattern(string globs)
    {
        Text = globs;
    }

    public static TestNamePattern All => new("*");

    public string Text { get; }

    public bool Matches(string fullName)
    {
        ReadOnlySpan<char> rest = (Text ?? "*").AsSpan();
        while (true)
        {
            int comma = rest.IndexOf(',');
            ReadOnlySpan<char> glob = comma < 0 ? rest : rest.Slice(0, comma);
            if (glob.Length > 0 && GlobMatches(glob, fullName))
                return true;
            if (comma < 0)
                return false;
            rest = rest.Slice(comma + 1);
        }
    }

    /// <summary>Iterative glob match: on a mismatch, retry from the last '*' one character further on.</summary>
    public static bool GlobMatches(ReadOnlySpan<char> glob, ReadOnlySpan<char> text)
    {
        int g = 0, t = 0, starGlob = -1, starText = 0;
        while (t < text.Length)
        {
            if (g < glob.Length && (glob[g] == '?' || glob[g] == text[t]))
            {
                g++;
                t++;
            }
            else if (g < glob.Length && glob[g] == '*')
            {
                starGlob = g++;
                starText = t;
            }
            else if (starGlob >= 0)
            {
                g = starGlob + 1;
                t = ++starText;
            }
            else
            {
                return false;
            }
        }
        while (g < glob.Length && glob[g] == '*')
            g++;
        return g == glob.Length;
    }
}
