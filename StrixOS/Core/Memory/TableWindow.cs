using System.Runtime.CompilerServices;

namespace StrixOS.Memory;

/// <summary>
/// The entries of one page table, at a level, that the range [first, last] crosses: the prologue every
/// range operation shares, and the one place the memory manager turns an address into a table index.
/// Level 1 holds 4 KiB pages; each level above covers 9 more address bits.
/// </summary>
internal readonly struct TableWindow
{
    private const ulong IndexMask = PageTableIndex.Count - 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TableWindow(int level, ulong first, ulong last)
    {
        int shift = Shift(level);
        FirstIndex = (int)((first >> shift) & IndexMask);
        LastIndex = (int)((last >> shift) & IndexMask);
        EntrySpan = 1UL << shift;
    }

    /// <summary>The entry <c>first</c> falls in.</summary>
    public int FirstIndex { get; }

    /// <summary>The entry <c>last</c> falls in.</summary>
    public int LastIndex { get; }

    /// <summary>Bytes of address space one entry at this level covers (4 KiB .. 512 GiB).</summary>
    public ulong EntrySpan { get; }

    /// <summary>The address bits below this level's index: 12 at level 1, 39 at level 4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Shift(int level) => 3 + 9 * level;

    /// <summary>The index of <paramref name="address"/> in a table at <paramref name="level"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int IndexOf(ulong address, int level) => (int)((address >> Shift(level)) & IndexMask);
}
