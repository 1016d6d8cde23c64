using System.Runtime.CompilerServices;

namespace StrixOS.Memory;

/// <summary>
/// The four levels of x86-64 paging. The MMU walks P4 (CR3) -> P3 -> P2 -> P1 -> frame; a P3 or P2 entry with
/// <see cref="PageTableFlags.HugePage"/> ends the walk early with a 1 GiB or 2 MiB page.
/// </summary>
public enum PageTableLevel : byte
{
    One = 1,
    Two = 2,
    Three = 3,
    Four = 4,
}

/// <summary>
/// The page-table arithmetic of a level, in one place: which address bits index a table at that level,
/// how much address space one entry covers, and which page size a leaf there maps. The walker
/// (<see cref="TableWalker"/>) and <see cref="VirtAddr"/> take their indexes from here.
/// </summary>
public static class PageTableLevelExtensions
{
    private const ulong IndexMask = PageTableIndex.Count - 1;

    /// <summary>The address bits below this level's index: 12 at level 1, 39 at level 4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Shift(this PageTableLevel level) => 3 + 9 * (int)level;

    /// <summary>The index of <paramref name="address"/> in a table at this level.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int IndexOf(this PageTableLevel level, ulong address) => (int)((address >> level.Shift()) & IndexMask);

    /// <summary>Bytes of virtual address space one entry of a table at this level covers (4 KiB .. 512 GiB).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong EntrySpan(this PageTableLevel level) => 1UL << level.Shift();

    /// <summary>The level of the tables the entries of this level point to (One has none below).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static PageTableLevel Below(this PageTableLevel level) => level - 1;

    /// <summary>The size of the page a leaf entry at levels One to Three maps (no check: level Four has none).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static PageSize LeafSize(this PageTableLevel level) => (PageSize)(level - 1);

    /// <summary>The page size whose leaf entries live at this level; false for level 4, which has none.</summary>
    public static bool TryGetLeafPageSize(this PageTableLevel level, out PageSize size)
    {
        bool leaf = level >= PageTableLevel.One && level <= PageTableLevel.Three;
        size = leaf ? level.LeafSize() : PageSize.Size4KiB;
        return leaf;
    }
}
