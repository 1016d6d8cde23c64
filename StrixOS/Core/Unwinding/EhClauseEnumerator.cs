namespace StrixOS.Runtime.Unwinding;

/// <summary>
/// Reads a method's EH clauses from ILC's EH info: a count, then per clause the try start, (try
/// length &lt;&lt; 2 | kind), the handler offset, and a 32-bit self-relative catch-type pointer (typed)
/// or the filter offset (filter). Integers use NativeAOT's VarInt encoding (see <see cref="TryReadVarUInt"/>).
/// The state fits CoreLib's 32-byte EHEnum buffer, which RhpEHEnumInitFromStackFrameIterator fills.
/// </summary>
public struct EhClauseEnumerator
{
    public ulong MethodStart;
    public ulong Cursor;
    public uint Index;
    public uint Count;

    public static bool TryCreate(ImageView image, ulong methodStart, ulong ehInfo, out EhClauseEnumerator clauses)
    {
        clauses = default;
        clauses.MethodStart = methodStart;
        clauses.Cursor = ehInfo;
        if (!TryReadVarUInt(image, ref clauses.Cursor, out clauses.Count))
            return false;
        return true;
    }

    public bool TryNext(ImageView image, out EhClause clause)
    {
        clause = default;
        if (Index >= Count)
            return false;
        Index++;
        if (!TryReadVarUInt(image, ref Cursor, out uint tryStart) || !TryReadVarUInt(image, ref Cursor, out uint lengthAndKind))
            return Invalid();
        clause.TryStartOffset = tryStart;
        clause.TryEndOffset = tryStart + (lengthAndKind >> 2);
        clause.Kind = (EhClauseKind)(lengthAndKind & 3);
        if (!TryReadVarUInt(image, ref Cursor, out uint handler))
            return Invalid();
        clause.HandlerAddress = MethodStart + handler;
        switch (clause.Kind)
        {
            case EhClauseKind.Typed:
                if (!image.Contains(Cursor, 4))
                    return Invalid();
                clause.TargetType = Cursor + (ulong)(long)image.I32(Cursor);
                Cursor += 4;
                break;
            case EhClauseKind.Filter:
                if (!TryReadVarUInt(image, ref Cursor, out uint filter))
                    return Invalid();
                clause.FilterAddress = MethodStart + filter;
                break;
            case EhClauseKind.Fault:
                break;
            default:
                return Invalid();
        }
        return true;
    }

    private bool Invalid()
    {
        Index = Count;
        return false;
    }

    /// <summary>
    /// NativeAOT's VarInt: the low bits of the first byte give the length (x0: 1 byte, 01: 2, 011: 3,
    /// 0111: 4, 1111: a full 32-bit value follows), the rest of the bits hold the value, little-endian.
    /// </summary>
    public static bool TryReadVarUInt(ImageView image, ref ulong cursor, out uint value)
    {
        value = 0;
        if (!image.Contains(cursor, 1))
            return false;
        uint first = image.U8(cursor);
        int length = (first & 1) == 0 ? 1 : (first & 2) == 0 ? 2 : (first & 4) == 0 ? 3 : (first & 8) == 0 ? 4 : 5;
        if (!image.Contains(cursor, (ulong)length))
            return false;
        if (length == 5)
        {
            value = image.U32(cursor + 1);
        }
        else
        {
            ulong raw = 0;
            for (int i = 0; i < length; i++)
                raw |= (ulong)image.U8(cursor + (ulong)i) << (8 * i);
            value = (uint)(raw >> length);
        }
        cursor += (ulong)length;
        return true;
    }
}
