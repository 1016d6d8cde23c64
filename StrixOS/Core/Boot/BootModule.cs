namespace StrixOS.Boot;

/// <summary>A boot module GRUB loaded: physical [Start, End) and its command line.</summary>
public readonly struct BootModule
{
    public readonly ulong Start;
    public readonly ulong End;
    public readonly string Name;

    public BootModule(ulong start, ulong end, string name)
    {
        Start = start;
        End = end;
        Name = name;
    }
}
