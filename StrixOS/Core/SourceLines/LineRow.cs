namespace StrixOS.SourceLines;

/// <summary>
/// One row of a DWARF line table: from <see cref="Address"/> up to the next row's address the code
/// belongs to <see cref="Line"/> of file <see cref="File"/> (an index into its unit's file table).
/// A row with <see cref="EndSequence"/> set only closes the sequence before it.
/// </summary>
public struct LineRow
{
    public ulong Address;
    public int File;
    public int Line;
    public bool EndSequence;
    /// <summary>Offset of the row's unit header in .debug_line: names its file table.</summary>
    public int UnitOffset;
}
