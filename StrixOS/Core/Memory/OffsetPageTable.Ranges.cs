namespace StrixOS.Memory;

/// <summary>
/// Range operations. Each pass (a read-only check pass, then a write pass) walks the tables a range touches
/// with one <see cref="TableWalker"/>, visiting each entry above level 1 once, never once per page. Inside, addresses are 48-bit offsets into
/// the address space (sign extension dropped), which keeps a range contiguous and its arithmetic overflow-free.
/// </summary>
public sealed unsafe partial class OffsetPageTable
{
    private const ulong AddressSpaceMask = (1UL << 48) - 1;

    /// <summary>State shared by the passes of one range operation (MapRange, UnmapRange, UpdateRangeFlags):
    /// what to write, what was counted, and the first error.</summary>
    private struct RangeWalk
    {
        /// <summary>MapRange: physical address minus 48-bit virtual address (wrapping).</summary>
        public ulong PhysicalDelta;
        public ulong LeafBits;
        public ulong HugeLeafBits;
        public bool AllowHugePages;
        /// <summary>UpdateRangeFlags: the leaf bits set and cleared.</summary>
        public ulong SetBits;
        public ulong ClearBits;
        public ulong ParentBits;
        public ulong Tables;
        public ulong Pages4KiB;
        public ulong Pages2MiB;
        public ulong Pages1GiB;
        public bool Widened;
        public MapError Error;

        public void CountLeaf(PageTableLevel level, ulong count)
        {
            if (level == PageTableLevel.One) Pages4KiB += count;
            else if (level == PageTableLevel.Two) Pages2MiB += count;
            else Pages1GiB += count;
        }

        public readonly RangeSummary Summary => new(Pages4KiB, Pages2MiB, Pages1GiB, Tables);
    }

    /// <summary>
    /// Maps [virtualStart, virtualStart + length) to [physicalStart, ...), all or nothing. With
    /// <paramref name="allowHugePages"/> each piece uses the largest page whose alignment fits both addresses,
    /// as long as no existing table occupies its entry; otherwise 4 KiB pages. Succeeds exactly when each
    /// chosen page would succeed with <see cref="MapTo"/>; the tables it needs are checked to be available first.
    /// </summary>
    public Result<RangeSummary, MapError> MapRange(
        VirtAddr virtualStart, PhysAddr physicalStart, ulong length, PageTableFlags flags,
        IFrameAllocator allocator, bool allowHugePages)
    {
        if (((virtualStart.Value | physicalStart.Value | length) & 0xFFF) != 0)
            return MapError.RangeNotAligned;
        if (length == 0)
            return default(RangeSummary);
        if (virtualStart.TryAdd(length - 1).IsError || physicalStart.TryAdd(length - 1).IsError)
            return MapError.RangeOutOfBounds;

        ulong first = virtualStart.Value & AddressSpaceMask;
        ulong last = first + (length - 1);
        ulong leafBits = (ulong)(flags | PageTableFlags.Present) & ~PageTableEntry.AddressMask;
        RangeWalk walk = new()
        {
            PhysicalDelta = physicalStart.Value - first,
            LeafBits = leafBits & ~HugeBit,
            HugeLeafBits = leafBits | HugeBit,
            ParentBits = PresentBit | (ulong)(flags & InheritedFlags),
            AllowHugePages = allowHugePages,
        };

        if (!CheckMapRange(first, last, ref walk))
            return walk.Error;
        if (walk.Tables > 0 && !allocator.CanAllocate(walk.Tables))
            return MapError.FrameAllocationFailed;

        walk.Tables = 0;
        WriteMapRange(first, last, ref walk, allocator);
        if (walk.Widened)
            _hardware.FlushAll();
        return walk.Summary;
    }

    /// <summary>True when a leaf at <paramref name="level"/> should map the whole entry at <paramref name="entryBase"/>.</summary>
    private static bool WantsHugePage(PageTableLevel level, bool coversEntry, ulong entryBase, ulong span, in RangeWalk walk)
        => walk.AllowHugePages && level <= PageTableLevel.Three && coversEntry && ((entryBase + walk.PhysicalDelta) & (span - 1)) == 0;

    /// <summary>Read-only pass: finds the first conflict and counts the tables to create. A table that does
    /// not exist yet is entered as null (all its entries unused).</summary>
    private bool CheckMapRange(ulong first, ulong last, ref RangeWalk walk)
    {
        var walker = new TableWalker(_level4, first, last);
        while (walker.Next())
        {
            PageTableLevel level = walker.Level;
            PageTableEntry* entry = walker.Entry;
            bool unused = entry == null || entry->IsUnused;
            if (WantsHugePage(level, walker.CoversEntry, walker.EntryBase, walker.Span, walk))
            {
                if (unused)
                    continue;
                if (IsHuge(entry))
                {
                    walk.Error = ConflictAt(entry, level);
                    return false;
                }
                // A table is in the way of the huge page: map through it with smaller pages.
            }
            if (!unused && IsHuge(entry))
            {
                walk.Error = MapError.ParentEntryHugePage;
                return false;
            }
            PageTable* child = unused ? null : TableAt(entry->Address.Value);
            if (unused)
                walk.Tables++;
            if (level == PageTableLevel.Two)
            {
                if (child != null && !CheckUnusedLeaves(child, walker.SubFirst, walker.SubLast, ref walk))
                    return false;
                continue;
            }
            walker.Enter(child);
        }
        return true;
    }

    /// <summary>The 4 KiB entries of [first, last] in a level-1 table must all be unused (one scan, no walker
    /// step per page: this is what keeps MapRange well under a nanosecond per page).</summary>
    private static bool CheckUnusedLeaves(PageTable* table, ulong first, ulong last, ref RangeWalk walk)
    {
        PageTableEntry* entries = (PageTableEntry*)table;
        int lastIndex = PageTableLevel.One.IndexOf(last);
        for (int i = PageTableLevel.One.IndexOf(first); i <= lastIndex; i++)
        {
            if (!entries[i].IsUnused)
            {
                walk.Error = MapError.AlreadyMapped(PhysFrame.NewUnchecked(entries[i].Address.Value, PageSize.Size4KiB));
                return false;
            }
        }
        return true;
    }

    /// <summary>Write pass: makes the same choices as <see cref="CheckMapRange"/>, which guaranteed success.</summary>
    private void WriteMapRange(ulong first, ulong last, ref RangeWalk walk, IFrameAllocator allocator)
    {
        var walker = new TableWalker(_level4, first, last);
        while (walker.Next())
        {
            PageTableLevel level = walker.Level;
            PageTableEntry* entry = walker.Entry;
            if (entry->IsUnused && WantsHugePage(level, walker.CoversEntry, walker.EntryBase, walker.Span, walk))
            {
                *entry = new PageTableEntry(((walker.EntryBase + walk.PhysicalDelta) & PageTableEntry.AddressMask) | walk.HugeLeafBits);
                walk.CountLeaf(level, 1);
                continue;
            }
            if (entry->IsUnused)
            {
                LinkNewTable(entry, walk.ParentBits, allocator);
                walk.Tables++;
                if (level == PageTableLevel.Four)
                    Level4EntryWritten(entry, created: true);
            }
            else if (Widen(entry, walk.ParentBits))
            {
                walk.Widened = true;
                if (level == PageTableLevel.Four)
                    Level4EntryWritten(entry, created: false);
            }
            PageTable* child = TableAt(entry->Address.Value);
            if (level == PageTableLevel.Two)
            {
                WriteLeaves(child, walker.SubFirst, walker.SubLast, ref walk);
                continue;
            }
            walker.Enter(child);
        }
    }

    /// <summary>Writes the 4 KiB entries of [first, last] in a level-1 table (one store each).</summary>
    private static void WriteLeaves(PageTable* table, ulong first, ulong last, ref RangeWalk walk)
    {
        PageTableEntry* entries = (PageTableEntry*)table;
        int firstIndex = PageTableLevel.One.IndexOf(first);
        int lastIndex = PageTableLevel.One.IndexOf(last);
        ulong raw = ((first + walk.PhysicalDelta) & PageTableEntry.AddressMask) | walk.LeafBits;
        for (int i = firstIndex; i <= lastIndex; i++, raw += PageSizeExtensions.Bytes4KiB)
            entries[i] = new PageTableEntry(raw);
        walk.Pages4KiB += (ulong)(lastIndex - firstIndex + 1);
    }

    /// <summary>
    /// Removes every mapping in [start, start + length), all or nothing; unmapped gaps are skipped. A huge page
    /// that sticks out of the range is refused (<see cref="MapErrorKind.ParentEntryHugePage"/>): splitting it
    /// would need new tables. Frames are not freed (the caller owns them), nor are page tables
    /// (<see cref="CleanUp"/>). Flushes the removed pages (see <see cref="TlbFlushBatch"/>).
    /// </summary>
    public Result<RangeSummary, MapError> UnmapRange(VirtAddr start, ulong length)
    {
        if (((start.Value | length) & 0xFFF) != 0)
            return MapError.RangeNotAligned;
        if (length == 0)
            return default(RangeSummary);
        if (start.TryAdd(length - 1).IsError)
            return MapError.RangeOutOfBounds;

        ulong first = start.Value & AddressSpaceMask;
        ulong last = first + (length - 1);
        RangeWalk walk = default;
        if (!CheckUnmapRange(first, last, ref walk))
            return walk.Error;
        TlbFlushBatch flushes = default;
        ClearRange(first, last, ref walk, ref flushes);
        flushes.Finish(_hardware);
        return walk.Summary;
    }

    /// <summary>Read-only pass: a huge page that sticks out of the range is refused (level-1 entries need
    /// no check, so level-1 tables are not entered).</summary>
    private bool CheckUnmapRange(ulong first, ulong last, ref RangeWalk walk)
    {
        var walker = new TableWalker(_level4, first, last);
        while (walker.Next())
        {
            PageTableEntry* entry = walker.Entry;
            if (!entry->IsPresent)
                continue;
            if (IsHuge(entry))
            {
                if (walker.Level == PageTableLevel.Four || !walker.CoversEntry)
                {
                    walk.Error = MapError.ParentEntryHugePage;
                    return false;
                }
                continue;
            }
            if (walker.Level > PageTableLevel.Two)
                walker.Enter(TableAt(entry->Address.Value));
        }
        return true;
    }

    private void ClearRange(ulong first, ulong last, ref RangeWalk walk, ref TlbFlushBatch flushes)
    {
        var walker = new TableWalker(_level4, first, last);
        while (walker.Next())
        {
            PageTableEntry* entry = walker.Entry;
            if (!entry->IsPresent)
                continue;
            if (walker.Level == PageTableLevel.One || IsHuge(entry))
            {
                bool global = (entry->Raw & (ulong)PageTableFlags.Global) != 0;
                entry->SetUnused();
                flushes.Add(VirtAddr.SignExtend(walker.EntryBase), global, _hardware);
                walk.CountLeaf(walker.Level, 1);
                continue;
            }
            walker.Enter(TableAt(entry->Address.Value));
        }
    }
}
