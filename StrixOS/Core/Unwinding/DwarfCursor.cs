namespace StrixOS.Runtime.Unwinding;

/// <summary>
/// Reads the encodings of DWARF call-frame information (.eh_frame): fixed-size integers, LEB128
/// and the pointer encodings (DW_EH_PE_*) that ILC and ld use. Every read is bounds-checked
/// against the end of the record being read; a read past it makes <see cref="Failed"/> true.
/// </summary>
public struct DwarfCursor
{
    private readonly ImageView _image;
    private readonly ulong _end;

    public DwarfCursor(ImageView image, ulong position, ulong end)
    {
        _image = image;
        Position = position;
        _end = end;
        Failed = false;
    }

    public ulong Position { get; private set; }
    public bool Failed { get; private set; }
    public readonly bool AtEnd => Position >= _end;

    /// <summary>DW_EH_PE_omit: no value present.</summary>
    public const byte PointerOmit = 0xFF;

    private bool Take(ulong size, out ulong at)
    {
        at = Position;
        if (Failed || Position > _end || _end - Position < size || !_image.Contains(Position, size))
        {
            Failed = true;
            return false;
        }
        Position += size;
        return true;
    }

    public byte U8() => Take(1, out ulong at) ? _image.U8(at) : (byte)0;
    public ushort U16() => Take(2, out ulong at) ? _image.U16(at) : (ushort)0;
    public uint U32() => Take(4, out ulong at) ? _image.U32(at) : 0;
    public ulong U64() => Take(8, out ulong at) ? _image.U64(at) : 0;

    public ulong Uleb128()
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            byte b = U8();
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
                return result;
        }
        Failed = true;
        return 0;
    }

    public long Sleb128()
    {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            byte b = U8();
            result |= (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                if (shift + 7 < 64 && (b & 0x40) != 0)
                    result |= -1L << (shift + 7);
                return result;
            }
        }
        Failed = true;
        return 0;
    }

    /// <summary>A NUL-terminated string (CIE augmentation); returns its address.</summary>
    public ulong SkipString()
    {
        ulong start = Position;
        while (!Failed && U8() != 0) { }
        return start;
    }

    /// <summary>
    /// A pointer in encoding <paramref name="encoding"/>: the low nibble is the format, 0x10 makes it
    /// relative to where it is stored. Indirect and data/text/function-relative forms are not used by
    /// ILC and fail the read.
    /// </summary>
    public ulong EncodedPointer(byte encoding)
    {
        ulong at = Position;
        ulong value;
        switch (encoding & 0x0F)
        {
            case 0x00: value = U64(); break;
            case 0x01: value = Uleb128(); break;
            case 0x02: value = U16(); break;
            case 0x03: value = U32(); break;
            case 0x04: value = U64(); break;
            case 0x09: value = (ulong)Sleb128(); break;
            case 0x0A: value = (ulong)(long)(short)U16(); break;
            case 0x0B: value = (ulong)(long)(int)U32(); break;
            case 0x0C: value = U64(); break;
            default: Failed = true; return 0;
        }
        switch (encoding & 0x70)
        {
            case 0x00: break;
            case 0x10: value += at; break;
            default: Failed = true; return 0;
        }
        if ((encoding & 0x80) != 0)
            Failed = true;
        return value;
    }
}
