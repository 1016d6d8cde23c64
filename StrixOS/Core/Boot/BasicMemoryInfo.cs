namespace StrixOS.Boot;

/// <summary>Multiboot2 tag 4: memory below 1 MiB and above 1 MiB (up to the first hole), in KiB.</summary>
public readonly struct BasicMemoryInfo
{
    public readonly uint LowerKiB;
    public readonly uint UpperKiB;

    public BasicMemoryInfo(uint lowerKiB, uint upperKiB)
    {
        LowerKiB = lowerKiB;
        UpperKiB = upperKiB;
    }
}
