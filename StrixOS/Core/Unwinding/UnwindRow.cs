namespace StrixOS.Runtime.Unwinding;

/// <summary>
/// The result of running a function's call-frame instructions up to one code address: how to find
/// the canonical frame address (CFA: the caller's stack pointer) and, for each register the
/// function saved, the offset from the CFA of its save slot. Registers use DWARF x86-64 numbers.
/// </summary>
public unsafe struct UnwindRow
{
    /// <summary>DWARF registers covered: rax..r15 (0-15) and the return address column (16).</summary>
    public const int RegisterCount = 17;

    public int CfaRegister;
    public long CfaOffset;
    /// <summary>Bit r set: register r was saved at CFA + SavedOffset[r].</summary>
    public uint SavedMask;
    public fixed long SavedOffset[RegisterCount];

    public readonly bool IsSaved(int register) => (SavedMask & (1u << register)) != 0;
}
