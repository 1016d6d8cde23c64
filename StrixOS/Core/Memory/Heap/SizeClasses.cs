using System.Numerics;

namespace StrixOS.Memory.Heap;

/// <summary>
/// Small blocks come in 24 sizes: every 16 bytes up to 128, then four steps per power of two up to 2048
/// (160, 192, 224, 256, 320, ...), so rounding up wastes less than a quarter of the request. Larger blocks
/// are whole pages.
/// All sizes are multiples of 16, which keeps every block 16-byte aligned.
/// </summary>
public static class SizeClasses
{
    public const int Count = 24;
    public const ulong MaxSmallSize = 2048;
    /// <summary>A slab holds at least this many slots, so its header and tail waste stay small.</summary>
    private const ulong MinSlotsPerSlab = 16;

    /// <summary>The class of a request of 1..<see cref="MaxSmallSize"/> bytes.</summary>
    public static int ClassOf(ulong size)
    {
        if (size <= 128)
            return size == 0 ? 0 : (int)((size - 1) >> 4);
        int log = BitOperations.Log2(size - 1);            // 7 for 129..256
        int quarter = (int)((size - 1) >> (log - 2)) - 4;  // 0..3: which quarter of the power of two
        return 8 + (log - 7) * 4 + quarter;
    }

    public static ulong SlotSize(int sizeClass)
    {
        if (sizeClass < 8)
            return (ulong)(sizeClass + 1) << 4;
        int log = 7 + (sizeClass - 8) / 4;
        int quarter = (sizeClass - 8) % 4;
        return (ulong)(5 + quarter) << (log - 2);
    }

    /// <summary>Pages per slab: the smallest power of two that holds <see cref="MinSlotsPerSlab"/> slots.</summary>
    public static int SlabPages(int sizeClass)
    {
        ulong bytes = SlotSize(sizeClass) * MinSlotsPerSlab;
        int pages = 1;
        while ((ulong)pages * 4096 < bytes)
            pages <<= 1;
        return pages;
    }
}
