using System;

namespace StrixOS.Boot;

/// <summary>
/// The kernel command line: words separated by spaces, each either a flag (<c>test</c>) or
/// <c>key=value</c>. The boot loader's line and QEMU's fw_cfg line (used by the test runner) are joined.
/// </summary>
public sealed class CommandLine
{
    private readonly string[] _words;

    public CommandLine(string text)
    {
        Text = text.Trim();
        _words = Text.Length == 0 ? [] : Text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    public string Text { get; }

    public static CommandLine Join(string? first, string? second) =>
        new(((first ?? "") + " " + (second ?? "")).Trim());

    /// <summary>True when the word appears alone or as <c>word=...</c>.</summary>
    public bool Has(string word)
    {
        foreach (string w in _words)
        {
            if (w == word || (w.Length > word.Length && w[word.Length] == '=' && w.StartsWith(word, StringComparison.Ordinal)))
                return true;
        }
        return false;
    }

    /// <summary>The value of the first <c>key=value</c> word with this key.</summary>
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
