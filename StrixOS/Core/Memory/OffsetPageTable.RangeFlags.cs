namespace StrixOS.Memory;

/// <summary>Changing the flags of every page in a range, splitting the huge pages that stick out of it.</summary>
public sealed unsafe partial class OffsetPageTable
{
    /// <summary>Bits <see cref="UpdateRangeFlags"/> never sets or clears: Present, HugePage (PAT in a 4 KiB
    /// entry) and the address.</summary>
    private const ulong ManagedBits = PresentBit | HugeBit | PageTableEntry.AddressMask;

    /// <summary>
    /// Changes the flags of every page mapped in [start, start + length), all or nothing: each leaf keeps its
    /// frame and gets <c>(old &amp; ~clear) | set</c> (Present, HugePage and the address are left alone).
    /// A huge page that sticks out of the range is split first into pages of the next size with the same
    /// frames and flags (one table from <paramref name="allocator"/> each), down to 4 KiB at the range's ends,
    /// so nothing outside the range changes; a huge page inside it keeps its size. Unmapped gaps are skipped.
    /// Parents gain the Writable and UserAccessible bits of <paramref name="set"/>. Every split huge page is
    /// invalidated before its pieces change, and every changed page after (see <see cref="TlbFlushBatch"/>).
    /// Returns the pages changed, by size, and the tables the splits took.
    /// </summary>
    public Result<RangeSummary, MapError> UpdateRangeFlags(
        VirtAddr start, ulong length, PageTableFlags set, PageTableFlags clear, IFrameAllocator allocator)
    {
        if (((start.Value | length) & 0xFFF) != 0)
            return MapError.RangeNotAligned;
        if (length == 0)
            return default(RangeSummary);
        if (start.TryAdd(length - 1).IsError)
            return MapError.RangeOutOfBounds;

        ulong first = start.Value & AddressSpaceMask;
        ulong last = first + (length - 1);
        RangeWalk walk = new()
        {
            SetBits = (ulong)set & ~ManagedBits,
            ClearBits = (ulong)clear & ~ManagedBits,
            ParentBits = PresentBit | (ulong)(set & InheritedFlags),
        };
        if (!CheckUpdateRange(first, last, ref walk))
            return walk.Error;
        if (walk.Tables > 0 && !allocator.CanAllocate(walk.Tables))
            return MapError.FrameAllocationFailed;

        walk.Tables = 0;
        TlbFlushBatch flushes = default;
        WriteUpdateRange(first, last, ref walk, ref flushes, allocator);
        if (walk.Widened)
            _hardware.FlushAll();
        flushes.Finish(_hardware);
        return walk.Summary;
    }

    /// <summary>Read-only pass: refuses what cannot be split and counts the tables the splits need. The
    /// table a split will create is entered as null: all its entries are huge pages (or 4 KiB pages at
    /// level 1) of one aligned frame, so only its two end entries can need a split. Level-1 entries need no
    /// check, so level-1 tables are not entered.</summary>
    private bool CheckUpdateRange(ulong first, ulong last, ref RangeWalk walk)
    {
        var walker = new TableWalker(_level4, first, last);
        while (walker.Next())
        {
            PageTableLevel level = walker.Level;
            PageTableEntry* entry = walker.Entry;
            if (entry != null && !entry->IsPresent)
                continue;
            if (entry != null && !IsHuge(entry))
            {
                if (level > PageTableLevel.Two)
                    walker.Enter(TableAt(entry->Address.Value));
                continue;
            }
            if (level == PageTableLevel.Four)
            {
                walk.Error = MapError.ParentEntryHugePage;  // bit 7 of a P4 entry is reserved
                return false;
            }
            if (walker.CoversEntry)
                continue;
            if (entry != null && (entry->Raw & PageTableEntry.AddressMask & (walker.Span - 1)) != 0)
            {
                walk.Error = MapError.InvalidFrameAddress(entry->Address);
                return false;
            }
            walk.Tables++;
            if (level > PageTableLevel.Two)
                walker.Enter(null);
        }
        return true;
    }

    /// <summary>Write pass: splits and changes what <see cref="CheckUpdateRange"/> found possible.</summary>
    private void WriteUpdateRange(ulong first, ulong last, ref RangeWalk walk, ref TlbFlushBatch flushes, IFrameAllocator allocator)
    {
        var walker = new TableWalker(_level4, first, last);
        while (walker.Next())
        {
            PageTableLevel level = walker.Level;
            PageTableEntry* entry = walker.Entry;
            ulong raw = entry->Raw;
            if ((raw & PresentBit) == 0)
                continue;
            if (level > PageTableLevel.One && (raw & HugeBit) == 0)
            {
                if (Widen(entry, walk.ParentBits))
                {
                    walk.Widened = true;
                    if (level == PageTableLevel.Four)
                        Level4EntryWritten(entry, created: false);
                }
                walker.Enter(TableAt(raw & PageTableEntry.AddressMask));
                continue;
            }
            bool global = (raw & (ulong)PageTableFlags.Global) != 0;
            if (level == PageTableLevel.One || walker.CoversEntry)
            {
                *entry = new PageTableEntry((raw & ~walk.ClearBits) | walk.SetBits);
                flushes.Add(VirtAddr.SignExtend(walker.EntryBase), global, _hardware);
                walk.CountLeaf(level, 1);
                continue;
            }
            PageTable* pieces = Split(entry, level, walk.ParentBits, allocator);
            walk.Tables++;
            // The old huge translation goes before any piece changes type or rights.
            _hardware.FlushPage(VirtAddr.SignExtend(walker.EntryBase));
            walker.Enter(pieces);
        }
    }

    /// <summary>Replaces the huge page at <paramref name="entry"/> (level 2 or 3) by a table of 512 pages of
    /// the next size mapping the same frames with the same flags. The table entry gets Present plus the huge
    /// page's Writable and UserAccessible bits and <paramref name="parentBits"/>. The caller has checked
    /// <see cref="IFrameAllocator.CanAllocate"/> and the frame's alignment.</summary>
    private PageTable* Split(PageTableEntry* entry, PageTableLevel level, ulong parentBits, IFrameAllocator allocator)
    {
        ulong raw = entry->Raw;
        if (!allocator.AllocateFrame().TryGetValue(out PhysFrame frame))
            throw new System.InvalidOperationException("frame allocator failed after CanAllocate promised frames");
        PageTable* table = TableAt(frame.StartAddress.Value);
        PageTableEntry* pieces = (PageTableEntry*)table;
        ulong pieceSpan = level.Below().EntrySpan();
        ulong flags = raw & ~PageTableEntry.AddressMask;
        ulong bits = level.Below() == PageTableLevel.One ? flags & ~HugeBit : flags;
        ulong address = raw & PageTableEntry.AddressMask;
        for (int i = 0; i < PageTable.EntryCount; i++, address += pieceSpan)
            pieces[i] = new PageTableEntry(address | bits);
        ulong tableBits = PresentBit | (raw & (ulong)InheritedFlags) | parentBits;
        *entry = new PageTableEntry((frame.StartAddress.Value & PageTableEntry.AddressMask) | tableBits);
        return table;
    }
}
