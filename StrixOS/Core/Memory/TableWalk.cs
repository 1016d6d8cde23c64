using System.Runtime.CompilerServices;

namespace StrixOS.Memory;

/// <summary>Where <see cref="TableWalk"/> stopped.</summary>
internal enum WalkEnd : byte
{
    /// <summary>The walk got to the entry at the target level (whatever that entry holds).</summary>
    Reached,
    /// <summary>An entry above the target level is absent: there is no lower table.</summary>
    Absent,
    /// <summary>An entry above the target level maps a huge page: there is no lower table.</summary>
    Huge,
}

/// <summary>
/// The one page-table walk of the memory manager for a single address: from the level-4 table down to a
/// target level, recording the entry it passes at each level, so a later write pass (map, widen parents,
/// unmap, change flags) uses the pointers it found instead of walking again. Translate, MapTo, Unmap,
/// UpdateFlags and SetP*EntryFlags all use it; the range operations use <see cref="TableCursor"/>, which
/// steps through the entries of one table the same way. Both take their indexes from <see cref="PageTableLevel"/>.
/// </summary>
internal unsafe struct TableWalk
{
    /// <summary>Entry pointers by level (index 1..4; 0 unused).</summary>
    private fixed ulong _entries[5];

    /// <summary>The level of the last entry the walk visited: the target level, or where it stopped early.</summary>
    public PageTableLevel Level;

    /// <summary>The entry the walk visited at <paramref name="level"/> (only levels from 4 down to <see cref="Level"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly PageTableEntry* EntryAt(PageTableLevel level) => (PageTableEntry*)_entries[(int)level];

    /// <summary>The last entry visited (at <see cref="Level"/>).</summary>
    public readonly PageTableEntry* Last
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (PageTableEntry*)_entries[(int)Level];
    }

    /// <summary>
    /// Walks <paramref name="address"/> from <paramref name="level4"/> down to <paramref name="targetLevel"/>.
    /// An entry above the target counts as absent when none of <paramref name="presenceBits"/> is set
    /// (Present for the MMU's view; all bits for "unused", as mapping needs).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public WalkEnd Run(PageTable* level4, ulong physicalMemoryOffset, ulong address, PageTableLevel targetLevel, ulong presenceBits)
    {
        PageTable* table = level4;
        for (PageTableLevel level = PageTableLevel.Four; ; level--)
        {
            PageTableEntry* entry = (PageTableEntry*)table + level.IndexOf(address);
            _entries[(int)level] = (ulong)entry;
            Level = level;
            if (level == targetLevel)
                return WalkEnd.Reached;
            ulong raw = entry->Raw;
            if ((raw & presenceBits) == 0)
                return WalkEnd.Absent;
            if ((raw & (ulong)PageTableFlags.HugePage) != 0)
                return WalkEnd.Huge;
            table = (PageTable*)(physicalMemoryOffset + (raw & PageTableEntry.AddressMask));
        }
    }
}
