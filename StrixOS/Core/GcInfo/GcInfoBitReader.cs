namespace StrixOS.Runtime.GcInfo;

using StrixOS.Runtime.Unwinding;

/// <summary>
/// Reads ILC's GC info bit stream: bits are taken least significant first from consecutive bytes,
/// and a multi-bit field has its first bit as its lowest. Reads outside the image do not fault:
/// they return zero and set <see cref="Failed"/>, so a corrupt blob becomes an error value.
/// </summary>
public struct GcInfoBitReader
{
    private readonly ImageView _image;
    private readonly ulong _start;

    /// <summary>Bits consumed since the start of the blob.</summary>
    public ulong Position;
    public bool Failed;

    public GcInfoBitReader(ImageView image, ulong start)
    {
        _image = image;
        _start = start;
        Position = 0;
        Failed = false;
    }

    public uint ReadBit()
    {
        ulong address = _start + (Position >> 3);
        if (!_image.Contains(address, 1))
        {
            Failed = true;
            return 0;
        }
        uint bit = (uint)(_image.U8(address) >> (int)(Position & 7)) & 1;
        Position++;
        return bit;
    }

    /// <summary>A field of up to 64 bits, first bit lowest.</summary>
    public ulong Read(int bits)
    {
        ulong value = 0;
        for (int i = 0; i < bits; i++)
            value |= (ulong)ReadBit() << i;
        return value;
    }

    public void Skip(ulong bits) => Position += bits;

    /// <summary>
    /// GC info's variable-length unsigned number: chunks of <paramref name="encodingBase"/> value bits,
    /// each followed by a bit that says whether another chunk follows; lower chunks come first.
    /// </summary>
    public ulong DecodeVarLengthUnsigned(int encodingBase)
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += encodingBase)
        {
            ulong chunk = Read(encodingBase + 1);
            result |= (chunk & ((1UL << encodingBase) - 1)) << shift;
            if ((chunk & (1UL << encodingBase)) == 0)
                return result;
            if (Failed)
                return 0;
        }
        Failed = true;
        return 0;
    }

    /// <summary>As <see cref="DecodeVarLengthUnsigned"/>, sign-extended from the last chunk's top value bit.</summary>
    public long DecodeVarLengthSigned(int encodingBase)
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += encodingBase)
        {
            ulong chunk = Read(encodingBase + 1);
            result |= (chunk & ((1UL << encodingBase) - 1)) << shift;
            if ((chunk & (1UL << encodingBase)) == 0)
            {
                int unused = 64 - (shift + encodingBase);
                return unused > 0 ? (long)(result << unused) >> unused : (long)result;
            }
            if (Failed)
                return 0;
        }
        Failed = true;
        return 0;
    }
}
