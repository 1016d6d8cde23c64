namespace StrixOS.SourceLines;

/// <summary>Why a .debug_line section did not decode (a damaged or unexpected table is a value, never a fault).</summary>
public enum LineTableError
{
    None,
    /// <summary>A unit or opcode runs past the end of its unit or the section.</summary>
    Truncated,
    /// <summary>A DWARF version other than 2-4 (ILC writes 4), or 64-bit DWARF.</summary>
    UnsupportedVersion,
    /// <summary>A header field that makes the program undecodable (line_range 0, opcode_base 0).</summary>
    BadHeader,
}

public static class LineTableErrorText
{
    public static string Describe(this LineTableError error) => error switch
    {
        LineTableError.None => "no error",
        LineTableError.Truncated => ".debug_line: a unit or opcode runs past its end",
        LineTableError.UnsupportedVersion => ".debug_line: unsupported DWARF version (2-4, 32-bit DWARF only)",
        LineTableError.BadHeader => ".debug_line: a unit header has line_range or opcode_base 0",
        _ => ".debug_line: unknown error",
    };
}
