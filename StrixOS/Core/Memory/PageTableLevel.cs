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

public static class PageTableLevelExtensions
{
    /// <summary>Bytes of virtual address space one entry of a table at this level covers (4 KiB .. 512 GiB).</summary>
    public static ulong EntrySpan(this PageTableLevel level) => 1UL << TableWindow.Shift((int)level);

    /// <summary>The page size whose leaf entries live at this level; false for level 4, which has none.</summary>
    public static bool TryGetLeafPageSize(this PageTableLevel level, out PageSize size)
    {
        switch (level)
        {
            case PageTableLevel.One: size = PageSize.Size4KiB; return true;
            case PageTableLevel.Two: size = PageSize.Size2MiB; return true;
            case PageTableLevel.Three: size = PageSize.Size1GiB; return true;
            default: size = PageSize.Size4KiB; return false;
        }
    }
}
