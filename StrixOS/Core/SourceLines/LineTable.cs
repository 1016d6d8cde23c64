using System;

namespace StrixOS.SourceLines;

/// <summary>
/// A linked image's .debug_line section (the DWARF ILC writes with -g): which source file and line
/// a code address was compiled from. The kernel reads it from the boot module "strix.lines"
/// (Diagnostics/SourceLines.cs); host tests read it from bin/Debug/strix.elf.
/// </summary>
public readonly ref struct LineTable
{
    private readonly ReadOnlySpan<byte> _section;

    public LineTable(ReadOnlySpan<byte> section) => _section = section;

    public bool IsEmpty => _section.IsEmpty;

    public LineRowReader Rows() => new(_section);

    /// <summary>
    /// The row whose range holds <paramref name="address"/>: the last row of a sequence at or below
    /// it, when the sequence goes on past it. False with <see cref="LineTableError.None"/> when no
    /// sequence covers the address.
    /// </summary>
    public bool TryFind(ulong address, out LineRow found, out LineTableError error) =>
        TryFind(address, 0, out found, out error);

    /// <summary>
    /// As <see cref="TryFind(ulong, out LineRow, out LineTableError)"/>, but only a row at or above
    /// <paramref name="notBelow"/> counts. ILC writes one sequence per compilation unit, so code it
    /// compiled without line info (its start-up stubs) sits inside another method's last row; with
    /// the method's start as the bound, such code has no line rather than a wrong one.
    /// </summary>
    public bool TryFind(ulong address, ulong notBelow, out LineRow found, out LineTableError error)
    {
        found = default;
        LineRowReader rows = Rows();
        LineRow previous = default;
        bool havePrevious = false;
        while (rows.TryNext(out LineRow row))
        {
            if (havePrevious && previous.Address <= address && address < row.Address)
            {
                if (previous.Line <= 0 || previous.Address < notBelow)
                    break;
                found = previous;
                error = LineTableError.None;
                return true;
            }
            previous = row;
            havePrevious = !row.EndSequence;
        }
        error = rows.Error;
        return false;
    }

    /// <summary>The file and line of <paramref name="address"/>, if a sequence covers it (from a row at or above <paramref name="notBelow"/>).</summary>
    public bool TryLocate(ulong address, out SourceLocation location, out LineTableError error, ulong notBelow = 0)
    {
        location = default;
        if (!TryFind(address, notBelow, out LineRow row, out error))
            return false;
        error = LineUnitHeader.TryRead(_section, row.UnitOffset, out LineUnitHeader unit);
        if (error != LineTableError.None)
            return false;
        location = new SourceLocation(unit.FileName(_section, row.File) ?? $"<file {row.File}>", row.Line);
        return true;
    }
}
