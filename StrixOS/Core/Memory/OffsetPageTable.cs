using System;

namespace StrixOS.Memory;

/// <summary>
/// Reads and changes a 4-level page-table hierarchy (any level-4 table, active or not) through the offset map:
/// the table at physical address p is at virtual address physicalMemoryOffset + p.
/// <para>Errors are values (<see cref="MapError"/>), and a failed operation leaves every table exactly as it
/// was: each operation first walks read-only, checks that the frame allocator can supply every table it will
/// need (<see cref="IFrameAllocator.CanAllocate"/>), and only then writes.</para>
/// <para>TLB rule: operations flush what they change themselves, through <see cref="IPagingHardware"/>, so a
/// forgotten flush is impossible. Mapping a page that was not present needs no flush; unmapping or changing
/// the flags of a present page invalidates it (invlpg); range and parent-entry changes batch or flush all.</para>
/// </summary>
public sealed unsafe partial class OffsetPageTable
{
    /// <summary>A range operation that invalidates more pages than this flushes the whole TLB once instead.</summary>
    public const int MaxSinglePageFlushes = TlbFlushBatch.Capacity;

    private const ulong HugeBit = (ulong)PageTableFlags.HugePage;
    private const ulong PresentBit = (ulong)PageTableFlags.Present;
    private const PageTableFlags InheritedFlags = PageTableFlags.Writable | PageTableFlags.UserAccessible;

    private readonly PageTable* _level4;
    private readonly ulong _offset;
    private readonly IPagingHardware _hardware;

    public OffsetPageTable(PhysFrame level4Frame, ulong physicalMemoryOffset, IPagingHardware hardware)
    {
        Level4Frame = level4Frame;
        _offset = physicalMemoryOffset;
        _hardware = hardware;
        _level4 = (PageTable*)(physicalMemoryOffset + level4Frame.StartAddress.Value);
    }

    public PhysFrame Level4Frame { get; }
    public ulong PhysicalMemoryOffset => _offset;
    public ref PageTable Level4Table => ref *_level4;

    /// <summary>The table at physical address <paramref name="physical"/>, seen through the offset map.</summary>
    public PageTable* TableAt(PhysAddr physical) => (PageTable*)(_offset + physical.Value);

    private PageTable* TableAt(ulong physical) => (PageTable*)(_offset + physical);

    /// <summary>The entry of <paramref name="table"/> (at <paramref name="level"/>) on the walk of <paramref name="address"/>.</summary>
    private static PageTableEntry* EntryOf(PageTable* table, ulong address, int level)
        => (PageTableEntry*)table + TableWindow.IndexOf(address, level);

    private static bool IsHuge(PageTableEntry* entry) => (entry->Raw & HugeBit) != 0;

    private static ulong SpanOf(int level) => 1UL << (3 + 9 * level);

    private static PageSize SizeOfLeafAt(int level) => (PageSize)(level - 1);

    // ---------------------------------------------------------------- translate

    /// <summary>Walks the tables as the MMU would: the frame (with its size), the offset in it and the leaf flags.</summary>
    public Result<Translation, TranslateError> Translate(VirtAddr address)
    {
        ulong va = address.Value;
        PageTable* table = _level4;
        for (int level = 4; level >= 1; level--)
        {
            PageTableEntry* entry = EntryOf(table, va, level);
            if (!entry->IsPresent)
                return TranslateError.NotMapped;
            if (level == 1)
                return new Translation(PhysFrame.NewUnchecked(entry->Address.Value, PageSize.Size4KiB), va & 0xFFF, entry->Flags);
            if (IsHuge(entry))
            {
                // Bit 7 of a P4 entry is reserved: the MMU faults on such an address.
                if (level == 4)
                    return TranslateError.NotMapped;
                ulong span = SpanOf(level);
                PhysAddr start = entry->Address;
                if (!start.IsAligned(span))
                    return TranslateError.InvalidFrameAddress;
                return new Translation(PhysFrame.NewUnchecked(start.Value, SizeOfLeafAt(level)), va & (span - 1), entry->Flags);
            }
            table = TableAt(entry->Address.Value);
        }
        throw new InvalidOperationException("unreachable: level 1 always returns");
    }

    /// <summary>The physical address <paramref name="address"/> maps to.</summary>
    public Result<PhysAddr, TranslateError> TranslateAddr(VirtAddr address)
    {
        Result<Translation, TranslateError> translation = Translate(address);
        return translation.TryGetValue(out Translation found) ? found.Address : translation.Error;
    }

    // ---------------------------------------------------------------- map

    /// <summary>
    /// Maps <paramref name="page"/> to <paramref name="frame"/> (same size). Missing tables come from
    /// <paramref name="allocator"/>; parent entries get Present plus the Writable and UserAccessible bits of
    /// <paramref name="flags"/>. Present is always set; HugePage is set for 2 MiB and 1 GiB pages.
    /// </summary>
    public Result<Page, MapError> MapTo(Page page, PhysFrame frame, PageTableFlags flags, IFrameAllocator allocator)
        => MapToWithTableFlags(page, frame, flags, PageTableFlags.Present | (flags & InheritedFlags), allocator);

    /// <summary>Like <see cref="MapTo"/>, with the flags for new or widened parent entries chosen by the caller
    /// (Present is added, HugePage removed).</summary>
    public Result<Page, MapError> MapToWithTableFlags(
        Page page, PhysFrame frame, PageTableFlags flags, PageTableFlags parentFlags, IFrameAllocator allocator)
    {
        if (page.Size != frame.Size)
            return MapError.PageSizeMismatch;
        int leafLevel = (int)page.Size.LeafLevel();
        ulong va = page.StartAddress.Value;
        ulong parentBits = ((ulong)parentFlags | PresentBit) & ~HugeBit;

        // Read-only pass: find conflicts and count the tables to create.
        PageTable* table = _level4;
        int missingTables = 0;
        for (int level = 4; level > leafLevel; level--)
        {
            PageTableEntry* entry = EntryOf(table, va, level);
            if (entry->IsUnused)
            {
                missingTables = level - leafLevel;
                break;
            }
            if (IsHuge(entry))
                return MapError.ParentEntryHugePage;
            table = TableAt(entry->Address.Value);
        }
        if (missingTables == 0)
        {
            PageTableEntry* leaf = EntryOf(table, va, leafLevel);
            if (!leaf->IsUnused)
                return ConflictAt(leaf, leafLevel);
        }
        else if (!allocator.CanAllocate((ulong)missingTables))
        {
            return MapError.FrameAllocationFailed;
        }

        // Write pass: nothing below can fail.
        table = _level4;
        bool widened = false;
        for (int level = 4; level > leafLevel; level--)
        {
            PageTableEntry* entry = EntryOf(table, va, level);
            if (entry->IsUnused)
                LinkNewTable(entry, parentBits, allocator);
            else
                widened |= Widen(entry, parentBits);
            table = TableAt(entry->Address.Value);
        }
        EntryOf(table, va, leafLevel)->SetAddress(frame.StartAddress, LeafFlags(flags, leafLevel));
        if (widened)
            _hardware.FlushPage(va); // Drops cached parent entries with the old, narrower rights.
        return page;
    }

    /// <summary>Maps the page at the same address as <paramref name="frame"/> to it.</summary>
    public Result<Page, MapError> IdentityMap(PhysFrame frame, PageTableFlags flags, IFrameAllocator allocator)
    {
        if (!VirtAddr.TryNew(frame.StartAddress.Value).TryGetValue(out VirtAddr start))
            return MapError.InvalidFrameAddress(frame.StartAddress);
        return MapTo(Page.NewUnchecked(start.Value, frame.Size), frame, flags, allocator);
    }

    /// <summary>The flags a leaf at <paramref name="level"/> gets: Present always, HugePage exactly above level 1.</summary>
    private static PageTableFlags LeafFlags(PageTableFlags flags, int level)
    {
        flags |= PageTableFlags.Present;
        return level == 1 ? flags & ~PageTableFlags.HugePage : flags | PageTableFlags.HugePage;
    }

    /// <summary>Allocates a zeroed table and points <paramref name="entry"/> at it. The caller has checked
    /// <see cref="IFrameAllocator.CanAllocate"/>, so a failure here is an allocator bug.</summary>
    private void LinkNewTable(PageTableEntry* entry, ulong parentBits, IFrameAllocator allocator)
    {
        if (!allocator.AllocateFrame().TryGetValue(out PhysFrame frame))
            throw new InvalidOperationException("frame allocator failed after CanAllocate promised frames");
        TableAt(frame.StartAddress.Value)->Zero();
        *entry = new PageTableEntry((frame.StartAddress.Value & PageTableEntry.AddressMask) | parentBits);
    }

    /// <summary>Adds the missing <paramref name="parentBits"/> to a parent entry; true if it changed.</summary>
    private static bool Widen(PageTableEntry* entry, ulong parentBits)
    {
        if ((entry->Raw & parentBits) == parentBits)
            return false;
        *entry = new PageTableEntry(entry->Raw | parentBits);
        return true;
    }

    /// <summary>The error for mapping over a used entry at <paramref name="level"/>.</summary>
    private MapError ConflictAt(PageTableEntry* entry, int level)
    {
        if (level == 1 || IsHuge(entry))
            return MapError.AlreadyMapped(PhysFrame.NewUnchecked(entry->Address.AlignDown(SpanOf(level)).Value, SizeOfLeafAt(level)));
        // A lower-level table: report the first page it maps, if any.
        if (TryFindFirstLeaf(TableAt(entry->Address.Value), level - 1, out PhysFrame mapped))
            return MapError.AlreadyMapped(mapped);
        return MapError.PageTableInTheWay;
    }

    private bool TryFindFirstLeaf(PageTable* table, int level, out PhysFrame frame)
    {
        PageTableEntry* entries = (PageTableEntry*)table;
        for (int i = 0; i < PageTable.EntryCount; i++)
        {
            PageTableEntry* entry = entries + i;
            if (!entry->IsPresent)
                continue;
            if (level == 1 || IsHuge(entry))
            {
                frame = PhysFrame.NewUnchecked(entry->Address.AlignDown(SpanOf(level)).Value, SizeOfLeafAt(level));
                return true;
            }
            if (TryFindFirstLeaf(TableAt(entry->Address.Value), level - 1, out frame))
                return true;
        }
        frame = default;
        return false;
    }

    // ---------------------------------------------------------------- unmap and flags

    /// <summary>Removes the mapping of <paramref name="page"/> (at its size) and returns the frame it mapped.
    /// Flushes the page from the TLB. Page tables stay; <see cref="CleanUp"/> frees empty ones.</summary>
    public Result<PhysFrame, MapError> Unmap(Page page)
    {
        Result<IntPtr, MapError> found = FindLeaf(page);
        if (!found.TryGetValue(out IntPtr pointer))
            return found.Error;
        PageTableEntry* leaf = (PageTableEntry*)pointer;
        int level = (int)page.Size.LeafLevel();
        PhysAddr start = leaf->Address;
        if (!start.IsAligned(SpanOf(level)))
            return MapError.InvalidFrameAddress(start);
        leaf->SetUnused();
        _hardware.FlushPage(page.StartAddress.Value);
        return PhysFrame.NewUnchecked(start.Value, page.Size);
    }

    /// <summary>
    /// Replaces the flags of the mapped <paramref name="page"/> (Present kept, HugePage managed) and returns
    /// the old ones. Parent entries gain the Writable and UserAccessible bits the new flags need. Flushes the page.
    /// </summary>
    public Result<PageTableFlags, MapError> UpdateFlags(Page page, PageTableFlags flags)
    {
        Result<IntPtr, MapError> found = FindLeaf(page);
        if (!found.TryGetValue(out IntPtr pointer))
            return found.Error;
        PageTableEntry* leaf = (PageTableEntry*)pointer;
        int leafLevel = (int)page.Size.LeafLevel();
        ulong va = page.StartAddress.Value;
        ulong parentBits = PresentBit | (ulong)(flags & InheritedFlags);

        PageTable* table = _level4;
        for (int level = 4; level > leafLevel; level--)
        {
            PageTableEntry* entry = EntryOf(table, va, level);
            Widen(entry, parentBits);
            table = TableAt(entry->Address.Value);
        }
        PageTableFlags old = leaf->Flags;
        leaf->SetFlags(LeafFlags(flags, leafLevel));
        _hardware.FlushPage(va);
        return old;
    }

    /// <summary>The present leaf entry of <paramref name="page"/> at its size, or why there is none.</summary>
    private Result<IntPtr, MapError> FindLeaf(Page page)
    {
        int leafLevel = (int)page.Size.LeafLevel();
        ulong va = page.StartAddress.Value;
        PageTable* table = _level4;
        for (int level = 4; level > leafLevel; level--)
        {
            PageTableEntry* entry = EntryOf(table, va, level);
            if (!entry->IsPresent)
                return MapError.PageNotMapped;
            if (IsHuge(entry))
                return MapError.ParentEntryHugePage;
            table = TableAt(entry->Address.Value);
        }
        PageTableEntry* leaf = EntryOf(table, va, leafLevel);
        // Above level 1 a present entry without HugePage is a table: no page of this size is mapped.
        if (!leaf->IsPresent || (leafLevel > 1 && !IsHuge(leaf)))
            return MapError.PageNotMapped;
        return (IntPtr)leaf;
    }

    /// <summary>Sets the flags of the P4 entry that covers <paramref name="address"/>; returns the old ones.</summary>
    public Result<PageTableFlags, MapError> SetP4EntryFlags(VirtAddr address, PageTableFlags flags)
        => SetTableEntryFlags(address, 4, flags);

    /// <summary>Sets the flags of the P3 entry (pointing to a P2 table) that covers <paramref name="address"/>.</summary>
    public Result<PageTableFlags, MapError> SetP3EntryFlags(VirtAddr address, PageTableFlags flags)
        => SetTableEntryFlags(address, 3, flags);

    /// <summary>Sets the flags of the P2 entry (pointing to a P1 table) that covers <paramref name="address"/>.</summary>
    public Result<PageTableFlags, MapError> SetP2EntryFlags(VirtAddr address, PageTableFlags flags)
        => SetTableEntryFlags(address, 2, flags);

    /// <summary>
    /// The entry must point to a table (a huge page's entry is changed with <see cref="UpdateFlags"/>).
    /// Present is kept, HugePage cleared. Flushes the whole TLB, as the entry covers many pages; global pages
    /// below a narrowed entry keep stale rights until their own invlpg.
    /// </summary>
    private Result<PageTableFlags, MapError> SetTableEntryFlags(VirtAddr address, int targetLevel, PageTableFlags flags)
    {
        ulong va = address.Value;
        PageTable* table = _level4;
        for (int level = 4; ; level--)
        {
            PageTableEntry* entry = EntryOf(table, va, level);
            if (!entry->IsPresent)
                return MapError.PageNotMapped;
            if (IsHuge(entry))
                return MapError.ParentEntryHugePage;
            if (level == targetLevel)
            {
                PageTableFlags old = entry->Flags;
                entry->SetFlags((flags | PageTableFlags.Present) & ~PageTableFlags.HugePage);
                _hardware.FlushAll();
                return old;
            }
            table = TableAt(entry->Address.Value);
        }
    }
}
