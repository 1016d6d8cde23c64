using System.Runtime.CompilerServices;

namespace StrixOS.Memory;

/// <summary>Why <see cref="TableWalker.WalkTo{TTarget}"/> stopped above its target level (<see cref="TableWalker.StoppedAt"/>).</summary>
internal enum WalkEnd : byte
{
    /// <summary>An entry above the target level is absent: there is no lower table.</summary>
    Absent,
    /// <summary>An entry above the target level maps a huge page: there is no lower table.</summary>
    Huge,
}

/// <summary>
/// The one page-table walker of the memory manager. It keeps, per level, the entry it stands on and (for a
/// range) the last entry of the range's window in that table, so it walks a range of addresses in address
/// order without recursion, and a later write pass uses the entry pointers it recorded instead of walking again.
/// <list type="bullet">
/// <item><see cref="WalkTo{TTarget}"/>: one address, straight down from the level-4 table to a target level
/// (Translate, MapTo, Unmap, UpdateFlags, SetP*EntryFlags); specialised per target level at compile time.
/// When asked to record, <see cref="EntryAt"/> then gives the entry it passed at each level.</item>
/// <item><see cref="TableWalker(PageTable*, ulong, ulong)"/> and <see cref="Next"/>: every entry the range
/// [first, last] crosses, top-down; the caller decides per entry whether to <see cref="Enter"/> the table below
/// (MapRange, UnmapRange, UpdateRangeFlags, CleanUp). Addresses are then 48-bit offsets into the address
/// space, as in the range operations.</item>
/// </list>
/// The walker only reads; the operations write through the pointers it gives. Level arithmetic comes from
/// <see cref="PageTableLevelExtensions"/>.
/// </summary>
internal unsafe ref struct TableWalker
{
    /// <summary>The entry the walker stands on at each level (index 1..4; 0 unused). For a table that does
    /// not exist yet (<see cref="Enter"/> with null) it is the entry's offset from null.</summary>
    private PerLevel _entries;
    /// <summary>For a range: the last entry of the window at each level.</summary>
    private PerLevel _lastEntries;
    private ulong _first;
    private ulong _last;
    /// <summary>For a range: the first address the current entry covers.</summary>
    private ulong _base;
    /// <summary>For one address: <see cref="ParentBitsInCommon"/>.</summary>
    private ulong _parentBitsInCommon;
    /// <summary>For one address that stopped above its target: <see cref="StopEntry"/>.</summary>
    private ulong _stopEntry;
    /// <summary>Bit n: the table at level n does not exist (its entries read as null).</summary>
    private uint _absentTables;
    /// <summary>Bit n: come back to the entry at level n once the table below it is done (<see cref="IsReturn"/>).</summary>
    private uint _returns;

    /// <summary>The level of the current entry: the last one <see cref="WalkTo{TTarget}"/> visited, or where
    /// <see cref="Next"/> stands.</summary>
    public PageTableLevel Level;

    /// <summary>True when <see cref="Next"/> came back up to an entry that was entered with
    /// <c>returnAfter</c>: every entry below it in the range has been visited.</summary>
    public bool IsReturn;

    /// <summary>One word per level. An inline array rather than a fixed buffer: a fixed buffer makes every
    /// method that holds a walker on its stack check a stack cookie (NativeAOT's guard for unsafe buffers).</summary>
    [InlineArray(5)]
    private struct PerLevel
    {
        private ulong _word;
    }

    /// <summary>The word of <paramref name="level"/> in <paramref name="words"/> (levels are 1..4, so no
    /// bounds check is needed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref ulong At(ref PerLevel words, PageTableLevel level)
        => ref Unsafe.Add(ref Unsafe.As<PerLevel, ulong>(ref words), (int)level);

    /// <summary>Starts a walk of the range [<paramref name="first"/>, <paramref name="last"/>] (48-bit
    /// offsets) in <paramref name="level4"/>; the first <see cref="Next"/> moves to its first entry.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TableWalker(PageTable* level4, ulong first, ulong last)
    {
        _first = first;
        _last = last;
        _absentTables = 0;
        _returns = 0;
        IsReturn = false;
        Level = PageTableLevel.Four;
        Open(level4, first, last);
    }

    /// <summary>The entry the walk visited at <paramref name="level"/> (levels from 4 down to <see cref="Level"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly PageTableEntry* EntryAt(PageTableLevel level) => (PageTableEntry*)At(ref Unsafe.AsRef(in _entries), level);

    /// <summary>The current entry, or null when its table does not exist yet.</summary>
    public readonly PageTableEntry* Entry
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (_absentTables & (1u << (int)Level)) != 0 ? null : (PageTableEntry*)At(ref Unsafe.AsRef(in _entries), Level);
    }

    // ---------------------------------------------------------------- one address

    /// <summary>
    /// Walks <paramref name="address"/> from <paramref name="level4"/> down to the level <typeparamref name="TTarget"/>
    /// stands for. True when it got there: <paramref name="last"/> is the entry of <paramref name="address"/>
    /// at that level (whatever it holds). False when an entry above the target ends the walk:
    /// <paramref name="last"/> is null, <see cref="StopEntry"/> that entry's value and <see cref="Level"/> its
    /// level. An entry above the target leads to a lower table when it is not a huge page and has every one of
    /// <paramref name="presenceBits"/> (flag bits: Present for the MMU's view; a fast path adds the bits it needs
    /// in every parent), or, with <paramref name="anyBit"/>, any bit at all (an entry in use, as mapping needs).
    /// (Giving the value rather than the pointer on a stop lets the compiler fold each step's address into
    /// the next load instead of keeping the pointer for the exit.)
    /// With <paramref name="record"/> the walk keeps the entry of every level for a write pass
    /// (<see cref="EntryAt"/>); with <paramref name="keepParentBits"/> also <see cref="ParentBitsInCommon"/>.
    /// These are constants at the call sites and the target level is one per instantiation, so each caller
    /// gets straight-line code (one step per level, constant shifts) whose stops branch straight out.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool WalkTo<TTarget>(PageTable* level4, ulong physicalMemoryOffset, ulong addressMask, ulong address, ulong presenceBits,
        bool anyBit, bool record, bool keepParentBits, out PageTableEntry* last)
        where TTarget : struct, ILevelType
    {
        PageTableLevel target = TTarget.Level;
        if (record)
            At(ref _entries, PageTableLevel.Four) = (ulong)Level4Entry(level4, address);
        if (target == PageTableLevel.Four)
            return Reached(Level4Entry(level4, address), target, ~0UL, keepParentBits, out last);
        // Unrolled on purpose: with the target a constant, the steps below it disappear. Above the target an
        // entry's address is only loaded from (unless recorded), so it folds into the load.
        // Each level's slot (where its entry lies in its table, Slot) is made apart from the entry that points
        // to the table: between one level's load and the next only the address mask is then on the critical
        // path (the loads of a walk depend on each other; every operation between them adds latency per
        // level). Made after the test of the level above, so a walk that stops early makes no slot it does
        // not use (made all at the start, the huge-page walks of Translate were slower).
        ulong slot3 = Slot(PageTableLevel.Three, physicalMemoryOffset, address);
        ulong raw = *(ulong*)Level4Entry(level4, address);
        if (!IsTable(raw, presenceBits, anyBit))
            return Stopped(PageTableLevel.Four, raw, out last);
        ulong common = raw;
        if (target == PageTableLevel.Three)
            return Reached(EntryBelow(raw, PageTableLevel.Four, addressMask, slot3, record), target, common, keepParentBits, out last);
        raw = LoadBelow(raw, PageTableLevel.Four, addressMask, slot3, record);
        if (!IsTable(raw, presenceBits, anyBit))
            return Stopped(PageTableLevel.Three, raw, out last);
        ulong slot2 = Slot(PageTableLevel.Two, physicalMemoryOffset, address);
        common &= raw;
        if (target == PageTableLevel.Two)
            return Reached(EntryBelow(raw, PageTableLevel.Three, addressMask, slot2, record), target, common, keepParentBits, out last);
        raw = LoadBelow(raw, PageTableLevel.Three, addressMask, slot2, record);
        if (!IsTable(raw, presenceBits, anyBit))
            return Stopped(PageTableLevel.Two, raw, out last);
        ulong slot1 = Slot(PageTableLevel.One, physicalMemoryOffset, address);
        common &= raw;
        return Reached(EntryBelow(raw, PageTableLevel.Two, addressMask, slot1, record), target, common, keepParentBits, out last);
    }

    /// <summary>The value of the entry <see cref="EntryBelow"/> gives (recorded when asked).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong LoadBelow(ulong raw, PageTableLevel level, ulong addressMask, ulong slot, bool record)
    {
        if (record)
            At(ref _entries, level.Below()) = (ulong)EntryIn(raw, addressMask, slot);
        return *(ulong*)EntryIn(raw, addressMask, slot);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static PageTableEntry* Level4Entry(PageTable* level4, ulong address)
        => (PageTableEntry*)level4 + EntryNumber(PageTableLevel.Four, address);

    /// <summary>True when <paramref name="raw"/>, an entry above the target level, leads to a lower table:
    /// not a huge page, and every one of <paramref name="presenceBits"/> set (with <paramref name="anyBit"/>:
    /// any bit set).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsTable(ulong raw, ulong presenceBits, bool anyBit)
        => (anyBit ? raw != 0 : (raw & presenceBits) == presenceBits) && (raw & (ulong)PageTableFlags.HugePage) == 0;

    /// <summary>The entry below the entry <paramref name="raw"/> at <paramref name="level"/>, at
    /// <paramref name="slot"/> (<see cref="Slot"/>) in the table it points to (recorded when asked).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private PageTableEntry* EntryBelow(ulong raw, PageTableLevel level, ulong addressMask, ulong slot, bool record)
    {
        PageTableEntry* entry = EntryIn(raw, addressMask, slot);
        if (record)
            At(ref _entries, level.Below()) = (ulong)entry;
        return entry;
    }

    /// <summary>The entry at <paramref name="slot"/> in the table the entry <paramref name="raw"/> points to.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static PageTableEntry* EntryIn(ulong raw, ulong addressMask, ulong slot)
        => (PageTableEntry*)((raw & addressMask) + slot);

    /// <summary>The offset map's offset plus the byte offset of <paramref name="address"/>'s entry in a table at
    /// <paramref name="level"/>: added to a table's physical address, the entry's address.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Slot(PageTableLevel level, ulong physicalMemoryOffset, ulong address)
        => physicalMemoryOffset + EntryNumber(level, address) * (ulong)sizeof(PageTableEntry);

    /// <summary>The index of <paramref name="address"/>'s entry in a table at <paramref name="level"/>, as a
    /// pointer-sized number (an int index would cost a zero extension before the scaled address).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint EntryNumber(PageTableLevel level, ulong address)
        => (nuint)((address >> level.Shift()) & (PageTable.EntryCount - 1));

    /// <summary>The end of a <see cref="WalkTo{TTarget}"/> that got to its target.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Reached(PageTableEntry* entry, PageTableLevel target, ulong parentBitsInCommon, bool keepParentBits,
        out PageTableEntry* last)
    {
        Level = target;
        if (keepParentBits)
            _parentBitsInCommon = parentBitsInCommon;
        last = entry;
        return true;
    }

    /// <summary>The end of a <see cref="WalkTo{TTarget}"/> that stopped at the entry <paramref name="raw"/> of <paramref name="level"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Stopped(PageTableLevel level, ulong raw, out PageTableEntry* last)
    {
        Level = level;
        _stopEntry = raw;
        last = null;
        return false;
    }

    /// <summary>After a <see cref="WalkTo{TTarget}"/> that returned false: the value of the entry where it
    /// stopped (at <see cref="Level"/>).</summary>
    public readonly ulong StopEntry
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _stopEntry;
    }

    /// <summary>Why a <see cref="WalkTo{TTarget}"/> that returned false stopped, given the same <paramref name="presenceBits"/>
    /// (one bit, Present, or all bits for the any-bit rule; a walk that required several bits has no single reason).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly WalkEnd StoppedAt(ulong presenceBits) => (_stopEntry & presenceBits) == 0 ? WalkEnd.Absent : WalkEnd.Huge;

    /// <summary>After a <see cref="WalkTo{TTarget}"/> with keepParentBits that reached its target: the bits set in
    /// every entry it went through above <see cref="Level"/> (all ones when there is none): a write pass that adds
    /// bits to the parents can tell without reading them again that they have them already.</summary>
    public readonly ulong ParentBitsInCommon
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _parentBitsInCommon;
    }

    // ---------------------------------------------------------------- a range

    /// <summary>Bytes of address space the current entry covers.</summary>
    public readonly ulong Span
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Level.EntrySpan();
    }

    /// <summary>The first address the current entry covers.</summary>
    public readonly ulong EntryBase
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _base;
    }

    /// <summary>The first address of the range inside the current entry.</summary>
    public readonly ulong SubFirst
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _first > _base ? _first : _base;
    }

    /// <summary>The last address of the range inside the current entry.</summary>
    public readonly ulong SubLast
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            ulong entryLast = _base + (Span - 1);
            return _last < entryLast ? _last : entryLast;
        }
    }

    /// <summary>True when the range covers the whole current entry.</summary>
    public readonly bool CoversEntry
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _first <= _base && _last >= _base + (Span - 1);
    }

    /// <summary>
    /// Moves to the next entry: the first one of the table just entered, else the next one in the current
    /// table's window, else (when a window is done) back up to the entry after the parent's, or to the parent
    /// itself when it was entered with <c>returnAfter</c> (then <see cref="IsReturn"/>). False at the end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Next()
    {
        PageTableLevel level = Level;
        IsReturn = false;
        while (At(ref _entries, level) == At(ref _lastEntries, level))
        {
            if (level == PageTableLevel.Four)
                return false;
            level++;
            Level = level;
            _base &= ~(level.EntrySpan() - 1);
            uint bit = 1u << (int)level;
            if ((_returns & bit) != 0)
            {
                _returns &= ~bit;
                IsReturn = true;
                return true;
            }
        }
        At(ref _entries, level) += (ulong)sizeof(PageTableEntry);
        _base += level.EntrySpan();
        return true;
    }

    /// <summary>
    /// Goes down into <paramref name="table"/>, the table the current entry points to (null: one that does not
    /// exist yet, whose <see cref="Entry"/> is null): the next <see cref="Next"/> moves to its first entry in
    /// the range. With <paramref name="returnAfter"/> the walk comes back to the current entry once that table
    /// is done. Call it last for an entry: it changes <see cref="Level"/> and the window.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Enter(PageTable* table, bool returnAfter = false)
    {
        if (returnAfter)
            _returns |= 1u << (int)Level;
        ulong first = SubFirst;
        ulong last = SubLast;
        Level = Level.Below();
        Open(table, first, last);
    }

    /// <summary>Sets the window [first, last] in <paramref name="table"/> at <see cref="Level"/>, standing
    /// just before its first entry.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Open(PageTable* table, ulong first, ulong last)
    {
        PageTableLevel level = Level;
        uint bit = 1u << (int)level;
        _absentTables = table == null ? _absentTables | bit : _absentTables & ~bit;
        ulong span = level.EntrySpan();
        PageTableEntry* entries = (PageTableEntry*)table;
        At(ref _entries, level) = (ulong)(entries + level.IndexOf(first) - 1);
        At(ref _lastEntries, level) = (ulong)(entries + level.IndexOf(last));
        _base = (first & ~(span - 1)) - span;
    }
}
