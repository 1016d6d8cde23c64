namespace StrixOS.SourceLines;

/// <summary>A source file (its directory joined with its name, as the compiler recorded them) and a line.</summary>
public readonly struct SourceLocation
{
    public SourceLocation(string file, int line)
    {
        File = file;
        Line = line;
    }

    public string File { get; }
    public int Line { get; }

    public override string ToString() => $"{File}:line {Line}";
}
