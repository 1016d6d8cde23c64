using System.Collections.Generic;

namespace StrixOS.Testing;

/// <summary>
/// One protocol line taken apart: the keyword ("test"), the positional words in order (index,
/// name) and the key=value fields, unescaped. Produced by <see cref="ProtocolLineReader"/>.
/// </summary>
public sealed class ProtocolLine
{
    private readonly List<string> _words;
    private readonly Dictionary<string, string> _fields;

    internal ProtocolLine(string keyword, List<string> words, Dictionary<string, string> fields)
    {
        Keyword = keyword;
        _words = words;
        _fields = fields;
    }

    public string Keyword { get; }
    public int WordCount => _words.Count;
    public int FieldCount => _fields.Count;

    /// <summary>The positional word at <paramref name="position"/>, or null past the end.</summary>
    public string? Word(int position) =>
        position >= 0 && position < _words.Count ? _words[position] : null;

    public bool TryGetField(string key, out string value)
    {
        if (_fields.TryGetValue(key, out string? found))
        {
            value = found;
            return true;
        }
        value = "";
        return false;
    }

    public bool HasField(string key) => _fields.ContainsKey(key);
}
