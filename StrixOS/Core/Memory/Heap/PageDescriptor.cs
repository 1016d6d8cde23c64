namespace StrixOS.Memory.Heap;

/// <summary>What a heap page is used for.</summary>
internal enum PageKind : uint
{
    /// <summary>Not mapped yet (or a page of the descriptor table itself).</summary>
    Unused = 0,
    /// <summary>Part of a free run. The first and last page hold the run's length; pages between hold 0.</summary>
    FreeRun = 1,
    /// <summary>Part of a slab of small blocks; the value is the page's distance from the slab's first page.</summary>
    Slab = 2,
    /// <summary>First page of a large block; the value is its length in pages.</summary>
    LargeHead = 3,
    /// <summary>Another page of a large block; the value is its distance from the first page.</summary>
    LargeBody = 4,
    /// <summary>First page of a region of cells (bump-allocated blocks, <see cref="HeapAllocator.TakeChunk"/>); the value is its length in pages.</summary>
    RegionHead = 5,
    /// <summary>Another page of a region; the value is its distance from the first page.</summary>
    RegionBody = 6,
}

/// <summary>
/// One 32-bit entry per heap page in the table at the start of the heap: the kind in the top 4 bits, a page
/// count or distance in the low 28. The table is the heap's ground truth about its pages: freeing and
/// enumeration read it rather than trusting anything stored inside blocks.
/// </summary>
internal static class PageDescriptor
{
    public const int ValueBits = 28;
    public const uint ValueMask = (1u << ValueBits) - 1;

    public static uint Make(PageKind kind, ulong value) => ((uint)kind << ValueBits) | ((uint)value & ValueMask);

    public static PageKind KindOf(uint descriptor) => (PageKind)(descriptor >> ValueBits);

    public static ulong ValueOf(uint descriptor) => descriptor & ValueMask;
}
