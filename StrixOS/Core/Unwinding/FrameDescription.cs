namespace StrixOS.Runtime.Unwinding;

/// <summary>
/// One function's unwind description from .eh_frame: an FDE together with the fields of its CIE
/// that are needed to run its call-frame instructions.
/// </summary>
public struct FrameDescription
{
    /// <summary>The address of the FDE record itself.</summary>
    public ulong Address;
    public ulong PcStart, PcEnd;
    /// <summary>The language-specific data (for ILC: the method's record in .dotnet_eh_table), or 0.</summary>
    public ulong Lsda;
    public ulong CieInstructions, CieInstructionsEnd;
    public ulong Instructions, InstructionsEnd;
    public ulong CodeAlignment;
    public long DataAlignment;
    public uint ReturnAddressColumn;

    public readonly bool Covers(ulong pc) => pc >= PcStart && pc < PcEnd;
}
