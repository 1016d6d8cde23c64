using System;

namespace StrixOS.SourceLines;

/// <summary>Reads bytes and LEB128 numbers up to an end offset; running past it sets <see cref="Failed"/>.</summary>
public ref struct LebCursor
{
    private readonly ReadOnlySpan<byte> _section;
    private readonly int _end;

    public LebCursor(ReadOnlySpan<byte> section, int position, int end)
    {
        _section = section;
        Position = position;
        _end = end;
        Failed = false;
    }

    public int Position;
    public bool Failed;
    public readonly bool AtEnd => Position >= _end;

    public byte U8()
    {
        if (Position >= _end)
        {
            Failed = true;
            return 0;
        }
        return _section[Position++];
    }

    public ulong Fixed(int bytes)
    {
        ulong value = 0;
        for (int i = 0; i < bytes; i++)
            value |= (ulong)U8() << (8 * i);
        return value;
    }

    public ulong Uleb128()
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = U8();
            if (Failed)
                return 0;
            if (shift < 64)
                value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
                return value;
        }
    }

    public long Sleb128()
    {
        long value = 0;
        int shift = 0;
        byte b;
        do
        {
            b = U8();
            if (Failed)
                return 0;
            if (shift < 64)
                value |= (long)(b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        if (shift < 64 && (b & 0x40) != 0)
            value |= -1L << shift;
        return value;
    }

    public void Skip(int bytes)
    {
        if (bytes > _end - Position)
        {
            Failed = true;
            Position = _end;
            return;
        }
        Position += bytes;
    }
}
