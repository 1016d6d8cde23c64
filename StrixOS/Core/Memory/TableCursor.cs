using System.Runtime.CompilerServices;

namespace StrixOS.Memory;

/// <summary>
/// Steps through the entries of one page table (at a level) that the range [first, last] crosses, and gives
/// for each the part of the range it covers: the walk every range operation and clean-up shares (each
/// recursion level is one cursor). Addresses are 48-bit offsets into the address space, as in the range
/// operations. The table may be null (a table that does not exist yet): then <see cref="Entry"/> is null.
/// </summary>
internal unsafe ref struct TableCursor
{
    private readonly PageTableEntry* _entries;
    private readonly ulong _first;
    private readonly ulong _last;
    private readonly int _lastIndex;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TableCursor(PageTable* table, PageTableLevel level, ulong first, ulong last)
    {
        _entries = (PageTableEntry*)table;
        _first = first;
        _last = last;
        _lastIndex = level.IndexOf(last);
        Level = level;
        Span = level.EntrySpan();
        Index = level.IndexOf(first) - 1;
        EntryBase = (first & ~(Span - 1)) - Span;
    }

    /// <summary>The level of the table this cursor steps through.</summary>
    public PageTableLevel Level { get; }

    /// <summary>Bytes of address space one entry covers.</summary>
    public ulong Span { get; }

    /// <summary>The current entry's index in its table.</summary>
    public int Index { get; private set; }

    /// <summary>The first address the current entry covers.</summary>
    public ulong EntryBase { get; private set; }

    /// <summary>The last address the current entry covers.</summary>
    public readonly ulong EntryLast => EntryBase + (Span - 1);

    /// <summary>The current entry, or null when the table does not exist yet.</summary>
    public readonly PageTableEntry* Entry => _entries == null ? null : _entries + Index;

    /// <summary>The first address of the range inside the current entry.</summary>
    public readonly ulong SubFirst => _first > EntryBase ? _first : EntryBase;

    /// <summary>The last address of the range inside the current entry.</summary>
    public readonly ulong SubLast => _last < EntryLast ? _last : EntryLast;

    /// <summary>True when the range covers the whole current entry.</summary>
    public readonly bool CoversEntry => _first <= EntryBase && _last >= EntryLast;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool MoveNext()
    {
        if (Index >= _lastIndex)
            return false;
        Index++;
        EntryBase += Span;
        return true;
    }
}
