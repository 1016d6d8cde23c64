using System;
using System.Collections.Generic;

namespace StrixOS.Testing;

/// <summary>
/// Reads one line of serial output back into a <see cref="ProtocolLine"/>: the inverse of
/// <see cref="ProtocolLineWriter"/>. Grammar (docs/testing.md): the prefix, a keyword, then
/// space-separated tokens, each a word or key=value, where a word or value is either bare
/// (printable ASCII without quote or backslash) or double-quoted with backslash escapes.
/// </summary>
public static class ProtocolLineReader
{
    public static ProtocolLineStatus TryParse(string rawLine, out ProtocolLine? line, out string error)
    {
        line = null;
        error = "";
        ReadOnlySpan<char> text = rawLine.AsSpan().TrimEnd('\r').TrimStart('\r');
        ReadOnlySpan<char> marker = TestProtocol.Prefix.AsSpan().TrimEnd(' ');
        if (!text.StartsWith(marker, StringComparison.Ordinal))
            return ProtocolLineStatus.NotProtocol;
        if (text.Length > marker.Length && text[marker.Length] != ' ')
            return ProtocolLineStatus.NotProtocol;   // "##strixfoo": someone else's line

        int position = marker.Length;
        SkipSpaces(text, ref position);
        int keywordStart = position;
        while (position < text.Length && IsKeyChar(text[position]))
            position++;
        if (position == keywordStart)
        {
            error = "no keyword after the prefix";
            return ProtocolLineStatus.Malformed;
        }
        if (position < text.Length && text[position] != ' ')
        {
            error = $"bad character '{text[position]}' in the keyword";
            return ProtocolLineStatus.Malformed;
        }
        string keyword = new(text.Slice(keywordStart, position - keywordStart));

        var words = new List<string>();
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            SkipSpaces(text, ref position);
            if (position >= text.Length)
                break;
            string? key = TryReadKey(text, ref position);
            if (!TryReadValue(text, ref position, out string value, out error))
                return ProtocolLineStatus.Malformed;
            if (position < text.Length && text[position] != ' ')
            {
                error = $"no space after a token at column {position}";
                return ProtocolLineStatus.Malformed;
            }
            if (key is null)
            {
                words.Add(value);
            }
            else if (!fields.TryAdd(key, value))
            {
                error = $"field '{key}' given twice";
                return ProtocolLineStatus.Malformed;
            }
        }
        line = new ProtocolLine(keyword, words, fields);
        return ProtocolLineStatus.Parsed;
    }

    private static void SkipSpaces(ReadOnlySpan<char> text, ref int position)
    {
        while (position < text.Length && text[position] == ' ')
            position++;
    }

    private static bool IsKeyChar(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-';

    /// <summary>"key=" at the position: consumes it and returns the key; otherwise consumes nothing.</summary>
    private static string? TryReadKey(ReadOnlySpan<char> text, ref int position)
    {
        int end = position;
        while (end < text.Length && IsKeyChar(text[end]))
            end++;
        if (end == position || end >= text.Length || text[end] != '=')
            return null;
        string key = new(text.Slice(position, end - position));
        position = end + 1;
        return key;
    }

    private static bool TryReadValue(ReadOnlySpan<char> text, ref int position, out string value, out string error)
    {
        if (position < text.Length && text[position] == '"')
            return TryReadQuoted(text, ref position, out value, out error);
        int start = position;
        while (position < text.Length && text[position] != ' ')
        {
            char c = text[position];
            if (c < ' ' || c >= 0x7F || c == '"' || c == '\\')
            {
                value = "";
                error = $"character 0x{(int)c:x2} in a bare token at column {position}: it must be quoted";
                return false;
            }
            position++;
        }
        error = "";
        value = new string(text.Slice(start, position - start));
        if (value.Length == 0)
        {
            error = $"empty value at column {position}";
            return false;
        }
        return true;
    }

    private static bool TryReadQuoted(ReadOnlySpan<char> text, ref int position, out string value, out string error)
    {
        var chars = new char[text.Length];
        int length = 0;
        position++;   // the opening quote
        while (position < text.Length)
        {
            char c = text[position++];
            if (c == '"')
            {
                value = new string(chars, 0, length);
                error = "";
                return true;
            }
            if (c < ' ' || c >= 0x7F)
            {
                value = "";
                error = $"raw character 0x{(int)c:x2} inside quotes (it must be escaped)";
                return false;
            }
            if (c != '\\')
            {
                chars[length++] = c;
                continue;
            }
            if (position >= text.Length)
                break;
            char escape = text[position++];
            switch (escape)
            {
                case '"': chars[length++] = '"'; break;
                case '\\': chars[length++] = '\\'; break;
                case 'n': chars[length++] = '\n'; break;
                case 'r': chars[length++] = '\r'; break;
                case 't': chars[length++] = '\t'; break;
                case 'x':
                case 'u':
                    int digits = escape == 'x' ? 2 : 4;
                    if (!TryReadHex(text, ref position, digits, out char decoded))
                    {
                        value = "";
                        error = $"\\{escape} needs {digits} hex digits";
                        return false;
                    }
                    chars[length++] = decoded;
                    break;
                default:
                    value = "";
                    error = $"unknown escape \\{escape}";
                    return false;
            }
        }
        value = "";
        error = "unterminated quoted value";
        return false;
    }

    private static bool TryReadHex(ReadOnlySpan<char> text, ref int position, int digits, out char decoded)
    {
        decoded = '\0';
        if (position + digits > text.Length)
            return false;
        int result = 0;
        for (int i = 0; i < digits; i++)
        {
            char c = text[position + i];
            int digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => -1,
            };
            if (digit < 0)
                return false;
            result = result * 16 + digit;
        }
        position += digits;
        decoded = (char)result;
        return true;
    }
}
