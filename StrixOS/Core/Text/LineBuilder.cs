using System;
using System.Runtime.CompilerServices;

namespace StrixOS.Text;

/// <summary>
/// A line of text built in the caller's buffer: what the boot's lines use instead of string interpolation,
/// and what the memory map's lines are made with (<see cref="Boot.MemoryMapFormatter"/>). The first
/// interpolated string of a boot pulls in CoreLib's general formatting (the interpolation handler,
/// <c>ArrayPool&lt;char&gt;</c> with its per-core partitions, an environment variable read through the UTF-8
/// encoder, number format parsing), and under emulation every instruction of it is translated once per boot
/// (docs/benchmarks.md, "Code run once at start-up"). A growable builder moves to the heap past its buffer, so
/// nothing is cut off; a fixed one (<c>growable: false</c>) allocates nothing: the first piece that does not fit
/// is dropped with everything after it, and <see cref="Overflowed"/> says so.
/// The appenders are kept out of line so each call site stays a few instructions.
/// </summary>
public ref struct LineBuilder
{
    /// <summary>A buffer this long holds every boot line but those with a long command line.</summary>
    public const int LineLength = 192;

    private Span<char> _chars;
    private int _length;
    private readonly bool _growable;

    public LineBuilder(Span<char> buffer, bool growable = true)
    {
        _chars = buffer;
        _length = 0;
        _growable = growable;
        Overflowed = false;
    }

    /// <summary>A fixed builder ran out of room: what did not fit was dropped.</summary>
    public bool Overflowed { get; private set; }

    public readonly ReadOnlySpan<char> Written => _chars.Slice(0, _length);

    /// <summary>Starts the next line in the same buffer.</summary>
    public void Clear() => _length = 0;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Append(string text) => Append(text.AsSpan());

    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Append(scoped ReadOnlySpan<char> text)
    {
        if (!Reserve(text.Length))
            return;
        text.CopyTo(_chars.Slice(_length));
        _length += text.Length;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Append(char c)
    {
        if (Reserve(1))
            _chars[_length++] = c;
    }

    /// <summary>As <c>{value}</c> for a signed number.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Decimal(long value)
    {
        if (value < 0)
        {
            Append('-');
            Decimal(0UL - (ulong)value);
            return;
        }
        Decimal((ulong)value);
    }

    /// <summary>As <c>{value}</c>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Decimal(ulong value)
    {
        Span<char> digits = stackalloc char[20];
        int start = digits.Length;
        do
        {
            digits[--start] = (char)('0' + (int)(value % 10));
            value /= 10;
        }
        while (value != 0);
        Append(digits.Slice(start));
    }

    /// <summary>As the kernel's Hex.Format, <c>0x{value:x16}</c>: 0x and 16 lower-case digits.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Hex16(ulong value)
    {
        if (!Reserve(18))   // all or nothing, as every other appender
            return;
        Append("0x");
        Digits(value, 16, 'a');
    }

    /// <summary>As <c>{value:X}</c> (<paramref name="minimumDigits"/> 1) or <c>{value:X2}</c> (2): upper case, no prefix.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void HexUpper(ulong value, int minimumDigits = 1)
    {
        int count = 1;
        while (count < 16 && value >> (4 * count) != 0)
            count++;
        Digits(value, Math.Max(count, minimumDigits), 'A');
    }

    /// <summary>Binary units with one decimal, rounded to nearest: "512 B", "4.0 KiB", "126.9 MiB" (the memory map's sizes).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Size(ulong bytes)
    {
        if (bytes < 1024)
        {
            Decimal(bytes);
            Append(" B");
            return;
        }
        int unit = 1;
        while (unit < 6 && bytes >> (10 * (unit + 1)) != 0)
            unit++;
        int shift = 10 * unit;
        ulong whole = bytes >> shift;
        ulong remainder = bytes & ((1UL << shift) - 1);
        // remainder < 2^60, so remainder * 10 still fits in 64 bits.
        ulong tenths = (remainder * 10 + (1UL << (shift - 1))) >> shift;
        if (tenths == 10)
        {
            whole++;
            tenths = 0;
        }
        if (whole == 1024 && unit < 6)
        {
            whole = 1;
            unit++;
        }
        Decimal(whole);
        Append('.');
        Append((char)('0' + (int)tenths));
        Append(unit switch { 1 => " KiB", 2 => " MiB", 3 => " GiB", 4 => " TiB", 5 => " PiB", _ => " EiB" });
    }

    public override readonly string ToString() => new string(Written);

    private void Digits(ulong value, int count, char ten)
    {
        if (!Reserve(count))
            return;
        for (int i = count - 1; i >= 0; i--)
        {
            int digit = (int)(value & 0xF);
            _chars[_length + i] = (char)(digit < 10 ? '0' + digit : ten + digit - 10);
            value >>= 4;
        }
        _length += count;
    }

    // A growable line longer than the caller's buffer moves to the heap, so nothing is ever cut off.
    private bool Reserve(int more)
    {
        if (Overflowed)
            return false;
        if (_length + more <= _chars.Length)
            return true;
        if (!_growable)
        {
            Overflowed = true;
            return false;
        }
        var larger = new char[Math.Max(_chars.Length * 2, _length + more)];
        _chars.Slice(0, _length).CopyTo(larger);
        _chars = larger;
        return true;
    }
}
