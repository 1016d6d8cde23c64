using System;

namespace StrixOS.Symbols;

/// <summary>
/// The kernel's symbol table in the packed form the boot image carries (written by
/// Boot/Stage/pack-symbols.awk from the build's strix.sym): a tag line, then one line per symbol in
/// address order, "@ADDRESS NAME" at a restart (every 16 entries at most) and "DELTA SHARED SUFFIX"
/// between restarts, the address as a hex difference to the entry before and the name as the count
/// of leading characters it shares with the name before plus the rest. Read in place: a lookup
/// binary-searches the restarts and decodes one group, so loading costs nothing. Malformed data
/// makes a lookup fail, never read outside the span.
/// </summary>
public readonly ref struct PackedSymbols
{
    /// <summary>The first line, without its newline ("STRIXSY" and format 1).</summary>
    public static ReadOnlySpan<byte> Tag => "STRIXSY1"u8;

    private readonly ReadOnlySpan<byte> _lines;

    /// <summary>The table in <paramref name="data"/>, or an empty one when the tag line is missing.</summary>
    public PackedSymbols(ReadOnlySpan<byte> data)
    {
        bool tagged = data.Length > Tag.Length && data.StartsWith(Tag) && data[Tag.Length] == (byte)'\n';
        _lines = tagged ? data.Slice(Tag.Length + 1) : default;
    }

    public static bool HasTag(ReadOnlySpan<byte> data) => !new PackedSymbols(data)._lines.IsEmpty;

    public bool IsEmpty => _lines.IsEmpty;

    /// <summary>The last symbol at or below the address, and how far past its start the address is.</summary>
    public bool TryFind(ulong address, out string name, out ulong offset)
    {
        name = "";
        offset = 0;
        if (_lines.IsEmpty || _lines[0] != (byte)'@' || !TryRestartAddress(0, out ulong first) || first > address)
            return false;
        // Narrow [low, high) to a few groups: low a restart at or below the address, high a restart
        // above it (or the end).
        int low = 0, high = _lines.Length;
        while (true)
        {
            int middle = RestartAtOrBefore(low + (high - low) / 2);
            if (middle <= low)
                break;
            if (!TryRestartAddress(middle, out ulong middleAddress))
                return false;
            if (middleAddress <= address)
                low = middle;
            else
                high = middle;
        }
        // Walk on from low (across a restart, when one lies between the middle and high): the last entry
        // at or below the address, the restart of its group, and its name's length.
        TryRestartAddress(low, out ulong entryAddress);
        int group = low, length = LineEnd(low) - NameStart(low);
        int best = low, bestGroup = low, bestLength = length;
        ulong bestAddress = entryAddress;
        for (int line = LineEnd(low) + 1; line < high; line = LineEnd(line) + 1)
        {
            if (_lines[line] == (byte)'@')
            {
                if (!TryRestartAddress(line, out entryAddress))
                    return false;
                if (entryAddress > address)
                    break;
                group = line;
                length = LineEnd(line) - NameStart(line);
            }
            else
            {
                if (!TryParseEntry(line, out ulong delta, out int shared, out int suffixStart))
                    return false;
                entryAddress += delta;
                if (entryAddress > address)
                    break;
                if (shared > length)
                    return false;
                length = shared + (LineEnd(line) - suffixStart);
            }
            best = line;
            bestGroup = group;
            bestAddress = entryAddress;
            bestLength = length;
        }
        if (!TryDecodeName(bestGroup, best, bestLength, out name))
            return false;
        offset = address - bestAddress;
        return true;
    }

    /// <summary>
    /// The name of the entry at <paramref name="line"/>: its suffix fills the positions from its shared
    /// count on, the entries before it (back to the restart at <paramref name="restart"/>) the rest.
    /// </summary>
    private bool TryDecodeName(int restart, int line, int length, out string name)
    {
        name = "";
        var chars = new char[length];
        int unfilled = length;
        while (unfilled > 0)
        {
            int shared = 0, suffixStart;
            if (line == restart)
                suffixStart = NameStart(line);
            else if (!TryParseEntry(line, out _, out shared, out suffixStart))
                return false;
            int end = LineEnd(line);
            for (int position = shared; position < unfilled; position++)
            {
                int source = suffixStart + position - shared;
                if (source >= end)
                    return false;
                chars[position] = (char)_lines[source];
            }
            if (shared < unfilled)
                unfilled = shared;
            if (unfilled == 0)
                break;
            if (line == restart)
                return false;
            line = LineStart(line - 1);
        }
        name = new string(chars);
        return true;
    }

    private bool TryRestartAddress(int line, out ulong address)
    {
        int position = line + 1;
        return TryHex(ref position, out address) && position < _lines.Length && _lines[position] == (byte)' ';
    }

    private int NameStart(int restart)
    {
        int position = restart + 1;
        while (position < _lines.Length && _lines[position] != (byte)' ' && _lines[position] != (byte)'\n')
            position++;
        return Math.Min(position + 1, LineEnd(restart));
    }

    /// <summary>"DELTA SHARED SUFFIX": the two hex numbers and where the suffix starts.</summary>
    private bool TryParseEntry(int line, out ulong delta, out int shared, out int suffixStart)
    {
        shared = 0;
        suffixStart = line;
        int position = line;
        if (!TryHex(ref position, out delta) || position >= _lines.Length || _lines[position] != (byte)' ')
            return false;
        position++;
        if (!TryHex(ref position, out ulong sharedValue) || sharedValue > int.MaxValue || position >= _lines.Length || _lines[position] != (byte)' ')
            return false;
        shared = (int)sharedValue;
        suffixStart = position + 1;
        return true;
    }

    private bool TryHex(ref int position, out ulong value)
    {
        value = 0;
        int digits = 0;
        for (; position < _lines.Length && digits <= 16; position++, digits++)
        {
            int digit = HexValue(_lines[position]);
            if (digit < 0)
                break;
            value = (value << 4) | (uint)digit;
        }
        return digits is > 0 and <= 16;
    }

    /// <summary>The restart line at or before <paramref name="position"/> (0 when there is none).</summary>
    private int RestartAtOrBefore(int position)
    {
        int line = LineStart(position);
        while (line > 0 && _lines[line] != (byte)'@')
            line = LineStart(line - 1);
        return line;
    }

    private int LineStart(int position)
    {
        while (position > 0 && _lines[position - 1] != (byte)'\n')
            position--;
        return position;
    }

    /// <summary>The position of the line's newline (or the end of the data).</summary>
    private int LineEnd(int line)
    {
        int newline = _lines.Slice(line).IndexOf((byte)'\n');
        return newline < 0 ? _lines.Length : line + newline;
    }

    private static int HexValue(byte c) =>
        c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}
