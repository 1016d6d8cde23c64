namespace StrixOS.Runtime.Unwinding;

/// <summary>
/// Walks an .eh_frame section record by record (CIEs and FDEs, as ld leaves them) and decodes FDEs
/// with their CIEs. The layout is the LSB one (a 32-bit length, a CIE pointer that is relative to
/// its own field, augmentation "zLR"), see the System V x86-64 ABI and the LSB's .eh_frame chapter.
/// </summary>
public readonly struct EhFrameSection
{
    private readonly ImageView _image;

    public EhFrameSection(ImageView image, ulong start, ulong end)
    {
        _image = image;
        Start = start;
        End = end;
    }

    public ulong Start { get; }
    public ulong End { get; }

    /// <summary>
    /// Reads the record header at <paramref name="record"/>: where the next record starts and, for
    /// an FDE, true in <paramref name="isFde"/>. False at the terminator or on a malformed record.
    /// </summary>
    public bool TryReadRecord(ulong record, out ulong next, out bool isFde)
    {
        next = End;
        isFde = false;
        var cursor = new DwarfCursor(_image, record, End);
        uint length = cursor.U32();
        if (cursor.Failed || length == 0 || length == 0xFFFFFFFF)
            return false;
        ulong body = cursor.Position;
        if (length > End - body)
            return false;
        next = body + length;
        uint id = cursor.U32();
        isFde = !cursor.Failed && id != 0;
        return !cursor.Failed;
    }

    /// <summary>Decodes the FDE at <paramref name="record"/> and its CIE.</summary>
    public bool TryReadFde(ulong record, out FrameDescription fde)
    {
        fde = default;
        fde.Address = record;
        if (!TryReadRecord(record, out ulong next, out bool isFde) || !isFde)
            return false;
        var cursor = new DwarfCursor(_image, record + 4, next);
        ulong idField = cursor.Position;
        ulong cie = idField - cursor.U32();
        if (!TryReadCie(cie, ref fde, out byte pointerEncoding, out byte lsdaEncoding, out bool hasAugmentationData))
            return false;
        fde.PcStart = cursor.EncodedPointer(pointerEncoding);
        fde.PcEnd = fde.PcStart + cursor.EncodedPointer((byte)(pointerEncoding & 0x0F));
        if (hasAugmentationData)
        {
            ulong augmentationLength = cursor.Uleb128();
            ulong augmentationEnd = cursor.Position + augmentationLength;
            if (lsdaEncoding != DwarfCursor.PointerOmit)
                fde.Lsda = cursor.EncodedPointer(lsdaEncoding);
            if (cursor.Failed || cursor.Position > augmentationEnd)
                return false;
            cursor = new DwarfCursor(_image, augmentationEnd, next);
        }
        fde.Instructions = cursor.Position;
        fde.InstructionsEnd = next;
        return !cursor.Failed && fde.PcEnd >= fde.PcStart;
    }

    private bool TryReadCie(ulong record, ref FrameDescription fde, out byte pointerEncoding, out byte lsdaEncoding, out bool hasAugmentationData)
    {
        pointerEncoding = 0;
        lsdaEncoding = DwarfCursor.PointerOmit;
        hasAugmentationData = false;
        if (record < Start || record >= End || !TryReadRecord(record, out ulong next, out bool isFde) || isFde)
            return false;
        var cursor = new DwarfCursor(_image, record + 8, next);
        byte version = cursor.U8();
        if (version != 1 && version != 3)
            return false;
        ulong augmentation = cursor.SkipString();
        fde.CodeAlignment = cursor.Uleb128();
        fde.DataAlignment = cursor.Sleb128();
        fde.ReturnAddressColumn = version == 1 ? cursor.U8() : (uint)cursor.Uleb128();
        var letters = new DwarfCursor(_image, augmentation, next);
        byte letter = letters.U8();
        if (letter == (byte)'z')
        {
            hasAugmentationData = true;
            ulong length = cursor.Uleb128();
            ulong dataEnd = cursor.Position + length;
            for (letter = letters.U8(); letter != 0 && !letters.Failed; letter = letters.U8())
            {
                switch ((char)letter)
                {
                    case 'L': lsdaEncoding = cursor.U8(); break;
                    case 'R': pointerEncoding = cursor.U8(); break;
                    case 'P': cursor.EncodedPointer(cursor.U8()); break;
                    case 'S': break;
                    default: return false;
                }
            }
            if (cursor.Failed || cursor.Position > dataEnd)
                return false;
            cursor = new DwarfCursor(_image, dataEnd, next);
        }
        else if (letter != 0)
        {
            return false;
        }
        fde.CieInstructions = cursor.Position;
        fde.CieInstructionsEnd = next;
        return !cursor.Failed && !letters.Failed;
    }
}
