namespace StrixOS.Runtime.Unwinding;

/// <summary>
/// What ILC's per-function record in .dotnet_eh_table (the FDE's LSDA) says: whether the code is a
/// method body or one of its funclets (catch/finally/fault handler, filter), where the whole method
/// starts (EH clause offsets count from there), and where its EH clauses are. The format is the one
/// NativeAOT's UnixNativeCodeManager reads: a flags byte; for a funclet a 32-bit self-relative
/// pointer to the main method's record and the funclet's distance from the method start; for the
/// main record optional 32-bit self-relative pointers to associated data and EH info, then GC info.
/// </summary>
public struct ManagedMethodInfo
{
    public const byte KindMask = 0x03;
    public const byte KindRoot = 0x00;
    public const byte KindHandler = 0x01;
    public const byte KindFilter = 0x02;
    public const byte HasEhInfoFlag = 0x04;
    public const byte ReversePInvokeFlag = 0x08;
    public const byte HasAssociatedDataFlag = 0x10;

    /// <summary>Start of the code this record belongs to (the FDE's start).</summary>
    public ulong CodeStart;
    /// <summary>Start of the method body (equal to <see cref="CodeStart"/> unless a funclet).</summary>
    public ulong MethodStart;
    public ulong Lsda;
    public ulong MainLsda;
    public byte Flags;
    public byte MainFlags;

    public readonly bool IsFunclet => (Flags & KindMask) != KindRoot;
    public readonly bool IsFilter => (Flags & KindMask) == KindFilter;
    public readonly bool HasEhInfo => (MainFlags & HasEhInfoFlag) != 0;
    public readonly bool IsReversePInvoke => (MainFlags & ReversePInvokeFlag) != 0;

    public static bool TryRead(ImageView image, ulong codeStart, ulong lsda, out ManagedMethodInfo info)
    {
        info = default;
        if (lsda == 0 || !image.Contains(lsda, 9))
            return false;
        info.CodeStart = codeStart;
        info.Lsda = lsda;
        info.Flags = image.U8(lsda);
        if (info.IsFunclet)
        {
            ulong field = lsda + 1;
            info.MainLsda = field + (ulong)(long)image.I32(field);
            info.MethodStart = codeStart - (ulong)(long)image.I32(field + 4);
            if (!image.Contains(info.MainLsda, 1))
                return false;
            info.MainFlags = image.U8(info.MainLsda);
            if ((info.MainFlags & KindMask) != KindRoot)
                return false;
        }
        else
        {
            info.MainLsda = lsda;
            info.MethodStart = codeStart;
            info.MainFlags = info.Flags;
        }
        return true;
    }

    /// <summary>
    /// Where the method's GC info starts: right after its record's flags byte and the optional
    /// associated-data and EH-info pointers (funclets share their method's GC info).
    /// </summary>
    public readonly ulong GcInfo
    {
        get
        {
            ulong blob = MainLsda + 1;
            if ((MainFlags & HasAssociatedDataFlag) != 0)
                blob += 4;
            if ((MainFlags & HasEhInfoFlag) != 0)
                blob += 4;
            return blob;
        }
    }

    /// <summary>The EH clauses of the method (the main record's), if it has any.</summary>
    public readonly bool TryGetClauses(ImageView image, out EhClauseEnumerator clauses)
    {
        clauses = default;
        if (!HasEhInfo)
            return false;
        ulong field = MainLsda + 1;
        if ((MainFlags & HasAssociatedDataFlag) != 0)
            field += 4;
        if (!image.Contains(field, 4))
            return false;
        ulong ehInfo = field + (ulong)(long)image.I32(field);
        return EhClauseEnumerator.TryCreate(image, MethodStart, ehInfo, out clauses);
    }
}
