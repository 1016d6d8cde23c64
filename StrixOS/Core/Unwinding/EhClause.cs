namespace StrixOS.Runtime.Unwinding;

/// <summary>Kinds of EH clause as NativeAOT numbers them (RhEHClauseKind).</summary>
public enum EhClauseKind : uint
{
    Typed = 0,
    Fault = 1,
    Filter = 2,
}

/// <summary>
/// One EH clause. Offsets count from the method start; a finally is a fault clause. The layout is
/// CoreLib's RhEHClause (System.Runtime.EH), which RhpEHEnumNext fills in: kind, try start, try end,
/// filter address, handler address, catch type (MethodTable*).
/// </summary>
public struct EhClause
{
    public EhClauseKind Kind;
    public uint TryStartOffset;
    public uint TryEndOffset;
    public ulong FilterAddress;
    public ulong HandlerAddress;
    public ulong TargetType;
}
