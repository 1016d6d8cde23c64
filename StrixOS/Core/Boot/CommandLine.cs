using System;

namespace StrixOS.Boot;

/// <summary>
/// The kernel command line: words separated by spaces, each either a flag (<c>test</c>) or
/// <c>key=value</c>. The boot loader's line and QEMU's fw_cfg line (used by the test runner) are joined.
/// </summary>
/// <remarks>
/// The words are found by scanning <see cref="Text"/> at each query, not kept as a split array: the line is short,
/// is read a few times at boot, and CoreLib's split and concatenation are code a boot would translate once
/// (docs/benchmarks.md, "Code run once at start-up, second round").
/// </remarks>
public sealed class CommandLine
{
    public CommandLine(string text)
    {
        Text = text.Trim();
    }

    public string Text { get; }

    /// <summary>The first line's words, then the second's (either may be null or empty).</summary>
    public static CommandLine Join(string? first, string? second)
    {
        // As (first + " " + second).Trim(): a side that is empty adds only the space, which the trim removes.
        if (string.IsNullOrEmpty(second))
            return new CommandLine(first ?? "");
        if (string.IsNullOrEmpty(first))
            return new CommandLine(second);
        return new CommandLine(string.Concat(first, " ", second));
    }

    /// <summary>True when the word appears alone or as <c>word=...</c>.</summary>
    public bool Has(string word) => TryFind(word, valueRequired: false, out _, out _);

    /// <summary>The value of the first <c>key=value</c> word with this key.</summary>
    public bool TryGetValue(string key, out string value)
    {
        if (TryFind(key, valueRequired: true, out int valueStart, out int wordEnd))
        {
            value = Text.Substring(valueStart, wordEnd - valueStart);
            return true;
        }
        value = "";
        return false;
    }

    /// <summary>
    /// The first space-separated word that is <paramref name="key"/> (unless <paramref name="valueRequired"/>) or
    /// starts with <paramref name="key"/> followed by <c>=</c>; <paramref name="valueStart"/> is where the text
    /// after the <c>=</c> starts (the word's end for a flag).
    /// </summary>
    private bool TryFind(string key, bool valueRequired, out int valueStart, out int wordEnd)
    {
        string text = Text;
        int i = 0;
        while (i < text.Length)
        {
            if (text[i] == ' ')
            {
                i++;
                continue;
            }
            int start = i;
            while (i < text.Length && text[i] != ' ')
                i++;
            int length = i - start;
            if (length >= key.Length && StartsWith(text, start, key))
            {
                if (length == key.Length && !valueRequired)
                {
                    valueStart = wordEnd = i;
                    return true;
                }
                if (length > key.Length && text[start + key.Length] == '=')
                {
                    valueStart = start + key.Length + 1;
                    wordEnd = i;
                    return true;
                }
            }
        }
        valueStart = wordEnd = 0;
        return false;
    }

    private static bool StartsWith(string text, int start, string prefix)
    {
        for (int i = 0; i < prefix.Length; i++)
        {
            if (text[start + i] != prefix[i])
                return false;
        }
        return true;
    }
}
