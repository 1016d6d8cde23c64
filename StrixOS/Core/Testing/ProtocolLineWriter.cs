using System;

namespace StrixOS.Testing;

/// <summary>
/// Builds one protocol line into a caller's buffer, allocating nothing (the fault handler formats
/// into a stack buffer). Text that is not plain printable ASCII is quoted and escaped, so a line
/// never breaks and never carries bytes a terminal would interpret. When the buffer is too small
/// the writer stops and sets <see cref="Overflowed"/>; what it wrote so far stays well-formed only
/// through <see cref="AppendQuotedCut"/>, which is how the fault and panic lines fit any buffer.
/// </summary>
public ref struct ProtocolLineWriter
{
    private const string Ellipsis = "...";
    private readonly Span<char> _buffer;
    private int _length;

    public ProtocolLineWriter(Span<char> buffer)
    {
        _buffer = buffer;
        _length = 0;
        Overflowed = false;
    }

    public bool Overflowed { get; private set; }
    public readonly int Length => _length;
    public readonly ReadOnlySpan<char> Written => _buffer.Slice(0, _length);
    public readonly int Remaining => _buffer.Length - _length;

    public override readonly string ToString() => new(Written);

    /// <summary>"##strix &lt;keyword&gt;": every protocol line starts so.</summary>
    public void Begin(string keyword)
    {
        AppendRaw(TestProtocol.Prefix);
        AppendRaw(keyword);
    }

    /// <summary>Text the caller knows needs no escaping (keywords, keys, fixed words).</summary>
    public void AppendRaw(ReadOnlySpan<char> text)
    {
        if (Overflowed || text.Length > Remaining)
        {
            Overflowed = true;
            return;
        }
        text.CopyTo(_buffer.Slice(_length));
        _length += text.Length;
    }

    public void AppendChar(char c)
    {
        if (Overflowed || Remaining < 1)
        {
            Overflowed = true;
            return;
        }
        _buffer[_length++] = c;
    }

    public void AppendDecimal(long value)
    {
        if (value < 0)
        {
            AppendChar('-');
            // Two's complement: the magnitude of long.MinValue still fits in a ulong.
            AppendDecimal((ulong)(-(value + 1)) + 1);
            return;
        }
        AppendDecimal((ulong)value);
    }

    public void AppendDecimal(ulong value)
    {
        Span<char> digits = stackalloc char[20];
        int count = 0;
        do
        {
            digits[count++] = (char)('0' + (int)(value % 10));
            value /= 10;
        } while (value != 0);
        if (Overflowed || count > Remaining)
        {
            Overflowed = true;
            return;
        }
        while (count > 0)
            _buffer[_length++] = digits[--count];
    }

    /// <summary>"0x" and lower-case hex digits, at least <paramref name="minimumDigits"/> of them.</summary>
    public void AppendHex(ulong value, int minimumDigits = 1)
    {
        Span<char> digits = stackalloc char[16];
        int count = 0;
        do
        {
            digits[count++] = "0123456789abcdef"[(int)(value & 0xF)];
            value >>= 4;
        } while (value != 0);
        while (count < minimumDigits && count < 16)
            digits[count++] = '0';
        if (Overflowed || count + 2 > Remaining)
        {
            Overflowed = true;
            return;
        }
        _buffer[_length++] = '0';
        _buffer[_length++] = 'x';
        while (count > 0)
            _buffer[_length++] = digits[--count];
    }

    /// <summary>The value in double quotes, escaped; all of it or (on overflow) nothing.</summary>
    public void AppendQuoted(ReadOnlySpan<char> value)
    {
        if (Overflowed || EscapedLength(value) + 2 > Remaining)
        {
            Overflowed = true;
            return;
        }
        _buffer[_length++] = '"';
        foreach (char c in value)
            WriteEscaped(c);
        _buffer[_length++] = '"';
    }

    /// <summary>
    /// The value quoted and escaped, cut short with "..." inside the quotes when it would not
    /// leave <paramref name="reserveAfter"/> characters free. Overflows only when not even
    /// <c>"..."</c> fits.
    /// </summary>
    public void AppendQuotedCut(ReadOnlySpan<char> value, int reserveAfter = 0)
    {
        int budget = Remaining - reserveAfter;
        if (Overflowed || budget < 2 + Ellipsis.Length)
        {
            Overflowed = true;
            return;
        }
        if (EscapedLength(value) + 2 <= budget)
        {
            AppendQuoted(value);
            return;
        }
        int end = _length + budget - 1 - Ellipsis.Length;
        _buffer[_length++] = '"';
        foreach (char c in value)
        {
            if (_length + EscapedLength(c) > end)
                break;
            WriteEscaped(c);
        }
        AppendRaw(Ellipsis);
        AppendChar('"');
    }

    /// <summary>" word": bare when it is plain printable ASCII without '=', otherwise quoted.</summary>
    public void AppendWord(ReadOnlySpan<char> word)
    {
        AppendChar(' ');
        if (NeedsQuotes(word) || word.Contains('='))
            AppendQuoted(word);
        else
            AppendRaw(word);
    }

    /// <summary>" key=value", the value bare when it can be, else quoted.</summary>
    public void AppendField(string key, ReadOnlySpan<char> value)
    {
        AppendKey(key);
        if (NeedsQuotes(value))
            AppendQuoted(value);
        else
            AppendRaw(value);
    }

    /// <summary>" key="value"": always quoted, for free text (messages, reasons, paths).</summary>
    public void AppendQuotedField(string key, ReadOnlySpan<char> value)
    {
        AppendKey(key);
        AppendQuoted(value);
    }

    public void AppendDecimalField(string key, long value)
    {
        AppendKey(key);
        AppendDecimal(value);
    }

    public void AppendHexField(string key, ulong value, int minimumDigits = 1)
    {
        AppendKey(key);
        AppendHex(value, minimumDigits);
    }

    public void AppendKey(string key)
    {
        AppendChar(' ');
        AppendRaw(key);
        AppendChar('=');
    }

    /// <summary>True when a value cannot go bare: empty, or holding a space, quote, backslash or any non-printable-ASCII character.</summary>
    public static bool NeedsQuotes(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
            return true;
        foreach (char c in value)
        {
            if (c <= ' ' || c >= 0x7F || c == '"' || c == '\\')
                return true;
        }
        return false;
    }

    public static int EscapedLength(ReadOnlySpan<char> value)
    {
        int length = 0;
        foreach (char c in value)
            length += EscapedLength(c);
        return length;
    }

    public static int EscapedLength(char c) => c switch
    {
        '"' or '\\' or '\n' or '\r' or '\t' => 2,
        < ' ' or (char)0x7F => 4,   // \xHH
        > (char)0x7E => 6,          // \uHHHH
        _ => 1,
    };

    private void WriteEscaped(char c)
    {
        switch (c)
        {
            case '"': Put('\\', '"'); break;
            case '\\': Put('\\', '\\'); break;
            case '\n': Put('\\', 'n'); break;
            case '\r': Put('\\', 'r'); break;
            case '\t': Put('\\', 't'); break;
            default:
                if (c < ' ' || c == (char)0x7F)
                {
                    Put('\\', 'x');
                    PutHexDigits(c, 2);
                }
                else if (c > (char)0x7E)
                {
                    Put('\\', 'u');
                    PutHexDigits(c, 4);
                }
                else
                {
                    _buffer[_length++] = c;
                }
                break;
        }
    }

    private void Put(char first, char second)
    {
        _buffer[_length++] = first;
        _buffer[_length++] = second;
    }

    private void PutHexDigits(char value, int digits)
    {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
            _buffer[_length++] = "0123456789abcdef"[(value >> shift) & 0xF];
    }
}
