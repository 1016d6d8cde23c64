using System;
using System.Runtime.CompilerServices;

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
// No zeroing of locals: every local is assigned before it is read (C# checks it; the walker's records are
// read only at levels the walk wrote), so zeroing a TableWalker (about 100 bytes) on every call is waste.
[SkipLocalsInit]
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private PageTable* TableAt(ulong physical) => (PageTable*)(_offset + physical);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsHuge(PageTableEntry* entry) => (entry->Raw & HugeBit) != 0;

    /// <summary>The walk of a single address (<see cref="TableWalker.WalkTo"/>), from this hierarchy's level-4 table.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private WalkEnd Walk(ulong address, PageTableLevel targetLevel, ulong presenceBits, out TableWalker walk, bool keepParentBits = false)
    {
        Unsafe.SkipInit(out walk);
        return walk.WalkTo(_level4, _offset, address, targetLevel, presenceBits, keepParentBits);
    }

    // ---------------------------------------------------------------- translate

    /// <summary>Walks the tables as the MMU would: the frame (with its size), the offset in it and the leaf flags.</summary>
    public Result<Translation, TranslateError> Translate(VirtAddr address)
    {
        ulong va = address.Value;
        TranslateError error = FindMapping(va, out ulong raw, out PageTableLevel level);
        if (error != NoTranslateError)
            return error;
        ulong span = level.EntrySpan();
        return new Translation(PhysFrame.NewUnchecked(raw & PageTableEntry.AddressMask, level.LeafSize()), va & (span - 1), (PageTableFlags)(raw & ~PageTableEntry.AddressMask));
    }

    /// <summary>The physical address <paramref name="address"/> maps to (the same walk as <see cref="Translate"/>,
    /// without building a <see cref="Translation"/>).</summary>
    public Result<PhysAddr, TranslateError> TranslateAddr(VirtAddr address)
    {
        ulong va = address.Value;
        TranslateError error = FindMapping(va, out ulong raw, out PageTableLevel level);
        if (error != NoTranslateError)
            return error;
        return PhysAddr.NewUnchecked((raw & PageTableEntry.AddressMask) | (va & (level.EntrySpan() - 1)));
    }

    /// <summary>No error: <see cref="FindMapping"/> found the leaf. (A value outside <see cref="TranslateError"/>.)</summary>
    private const TranslateError NoTranslateError = (TranslateError)0xFF;

    /// <summary>The present leaf entry that maps <paramref name="va"/> and its level, as the MMU finds it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TranslateError FindMapping(ulong va, out ulong raw, out PageTableLevel level)
    {
        WalkEnd end = Walk(va, PageTableLevel.One, PresentBit, out TableWalker walk);
        raw = walk.Last->Raw;
        level = walk.Level;
        if (end == WalkEnd.Reached)
            return (raw & PresentBit) == 0 ? TranslateError.NotMapped : NoTranslateError;
        // Bit 7 of a P4 entry is reserved: the MMU faults on such an address.
        if (end == WalkEnd.Absent || level == PageTableLevel.Four)
            return TranslateError.NotMapped;
        if ((raw & PageTableEntry.AddressMask & (level.EntrySpan() - 1)) != 0)
            return TranslateError.InvalidFrameAddress;
        return NoTranslateError;
    }

    // ---------------------------------------------------------------- map

    /// <summary>
    /// Maps <paramref name="page"/> to <paramref name="frame"/> (same size). Missing tables come from
    /// <paramref name="allocator"/>; parent entries get Present plus the Writable and UserAccessible bits of
    /// <paramref name="flags"/>. Present is always set; HugePage is set for 2 MiB and 1 GiB pages.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Result<Page, MapError> MapTo(Page page, PhysFrame frame, PageTableFlags flags, IFrameAllocator allocator)
        => MapToWithTableFlags(page, frame, flags, PageTableFlags.Present | (flags & InheritedFlags), allocator);

    /// <summary>Like <see cref="MapTo"/>, with the flags for new or widened parent entries chosen by the caller
    /// (Present is added, HugePage removed).</summary>
    public Result<Page, MapError> MapToWithTableFlags(
        Page page, PhysFrame frame, PageTableFlags flags, PageTableFlags parentFlags, IFrameAllocator allocator)
    {
        if (page.Size != frame.Size)
            return MapError.PageSizeMismatch;
        PageTableLevel leafLevel = page.Size.LeafLevel();
        ulong va = page.StartAddress.Value;
        ulong parentBits = ((ulong)parentFlags | PresentBit) & ~HugeBit;

        // Read-only pass: one walk finds any conflict and records the entries for the write pass. An entry
        // that is not all zero counts as a table here, as it does for the MMU once its Present bit is set.
        WalkEnd end = Walk(va, leafLevel, ~0UL, out TableWalker walk, keepParentBits: true);
        if (end == WalkEnd.Huge)
            return MapError.ParentEntryHugePage;
        if (end == WalkEnd.Reached)
        {
            PageTableEntry* leaf = walk.Last;
            if (!leaf->IsUnused)
                return ConflictAt(leaf, leafLevel);
            // Write pass, the common case: every table exists (and usually has the parent bits already).
            bool widened = (walk.ParentBitsInCommon & parentBits) != parentBits && WidenParents(ref walk, leafLevel, parentBits);
            *leaf = new PageTableEntry((frame.StartAddress.Value & PageTableEntry.AddressMask) | LeafBits(flags, leafLevel));
            if (widened)
                _hardware.FlushPage(va); // Drops cached parent entries with the old, narrower rights.
            return page;
        }
        return MapThroughNewTables(page, frame, flags, parentBits, allocator, ref walk);
    }

    /// <summary>The rest of <see cref="MapToWithTableFlags"/> when the walk stopped at an unused entry above
    /// the leaf: the tables from there down are created (if the allocator can supply them all), then the leaf.</summary>
    private Result<Page, MapError> MapThroughNewTables(
        Page page, PhysFrame frame, PageTableFlags flags, ulong parentBits, IFrameAllocator allocator, ref TableWalker walk)
    {
        PageTableLevel leafLevel = page.Size.LeafLevel();
        ulong va = page.StartAddress.Value;
        PageTableLevel missingLevel = walk.Level;
        if (!allocator.CanAllocate((ulong)(missingLevel - leafLevel)))
            return MapError.FrameAllocationFailed;

        // Write pass: nothing below can fail.
        bool widened = false;
        for (PageTableLevel level = PageTableLevel.Four; level > missingLevel; level--)
            widened |= Widen(walk.EntryAt(level), parentBits);
        PageTableEntry* entry = walk.EntryAt(missingLevel);
        for (PageTableLevel level = missingLevel; level > leafLevel; level--)
        {
            PageTable* table = LinkNewTable(entry, parentBits, allocator);
            entry = (PageTableEntry*)table + level.Below().IndexOf(va);
        }
        *entry = new PageTableEntry((frame.StartAddress.Value & PageTableEntry.AddressMask) | LeafBits(flags, leafLevel));
        if (widened)
            _hardware.FlushPage(va);
        return page;
    }

    /// <summary>Maps the page at the same address as <paramref name="frame"/> to it.</summary>
    public Result<Page, MapError> IdentityMap(PhysFrame frame, PageTableFlags flags, IFrameAllocator allocator)
    {
        if (!VirtAddr.TryNew(frame.StartAddress.Value).TryGetValue(out VirtAddr start))
            return MapError.InvalidFrameAddress(frame.StartAddress);
        return MapTo(Page.NewUnchecked(start.Value, frame.Size), frame, flags, allocator);
    }

    /// <summary>The flag bits a leaf at <paramref name="level"/> gets: Present always, HugePage exactly above level 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong LeafBits(PageTableFlags flags, PageTableLevel level)
    {
        ulong bits = ((ulong)flags | PresentBit) & ~PageTableEntry.AddressMask;
        return level == PageTableLevel.One ? bits & ~HugeBit : bits | HugeBit;
    }

    /// <summary>Allocates a zeroed table and points <paramref name="entry"/> at it. The caller has checked
    /// <see cref="IFrameAllocator.CanAllocate"/>, so a failure here is an allocator bug.</summary>
    private PageTable* LinkNewTable(PageTableEntry* entry, ulong parentBits, IFrameAllocator allocator)
    {
        if (!allocator.AllocateFrame().TryGetValue(out PhysFrame frame))
            throw new InvalidOperationException("frame allocator failed after CanAllocate promised frames");
        PageTable* table = TableAt(frame.StartAddress.Value);
        table->Zero();
        *entry = new PageTableEntry((frame.StartAddress.Value & PageTableEntry.AddressMask) | parentBits);
        return table;
    }

    /// <summary>Adds the missing <paramref name="parentBits"/> to the entries the walk went through above
    /// <paramref name="leafLevel"/>; true if one changed.</summary>
    private static bool WidenParents(ref TableWalker walk, PageTableLevel leafLevel, ulong parentBits)
    {
        bool widened = false;
        for (PageTableLevel level = PageTableLevel.Four; level > leafLevel; level--)
            widened |= Widen(walk.EntryAt(level), parentBits);
        return widened;
    }

    /// <summary>Adds the missing <paramref name="parentBits"/> to a parent entry; true if it changed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Widen(PageTableEntry* entry, ulong parentBits)
    {
        if ((entry->Raw & parentBits) == parentBits)
            return false;
        *entry = new PageTableEntry(entry->Raw | parentBits);
        return true;
    }

    /// <summary>The error for mapping over a used entry at <paramref name="level"/> (cold: kept out of line).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private MapError ConflictAt(PageTableEntry* entry, PageTableLevel level)
    {
        if (level == PageTableLevel.One || IsHuge(entry))
            return MapError.AlreadyMapped(PhysFrame.NewUnchecked(entry->Address.AlignDown(level.EntrySpan()).Value, level.LeafSize()));
        // A lower-level table: report the first page it maps, if any.
        if (TryFindFirstLeaf(TableAt(entry->Address.Value), level.Below(), out PhysFrame mapped))
            return MapError.AlreadyMapped(mapped);
        return MapError.PageTableInTheWay;
    }

    private bool TryFindFirstLeaf(PageTable* table, PageTableLevel level, out PhysFrame frame)
    {
        PageTableEntry* entries = (PageTableEntry*)table;
        for (int i = 0; i < PageTable.EntryCount; i++)
        {
            PageTableEntry* entry = entries + i;
            if (!entry->IsPresent)
                continue;
            if (level == PageTableLevel.One || IsHuge(entry))
            {
                frame = PhysFrame.NewUnchecked(entry->Address.AlignDown(level.EntrySpan()).Value, level.LeafSize());
                return true;
            }
            if (TryFindFirstLeaf(TableAt(entry->Address.Value), level.Below(), out frame))
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
        PageTableLevel leafLevel = page.Size.LeafLevel();
        MapErrorKind problem = FindLeaf(page.StartAddress.Value, leafLevel, out TableWalker walk);
        if (problem != NoProblem)
            return MapError.Of(problem);
        PageTableEntry* leaf = walk.Last;
        ulong start = leaf->Raw & PageTableEntry.AddressMask;
        if ((start & (leafLevel.EntrySpan() - 1)) != 0)
            return MapError.InvalidFrameAddress(PhysAddr.NewUnchecked(start));
        leaf->SetUnused();
        _hardware.FlushPage(page.StartAddress.Value);
        return PhysFrame.NewUnchecked(start, page.Size);
    }

    /// <summary>
    /// Replaces the flags of the mapped <paramref name="page"/> (Present kept, HugePage managed) and returns
    /// the old ones. Parent entries gain the Writable and UserAccessible bits the new flags need. Flushes the page.
    /// </summary>
    public Result<PageTableFlags, MapError> UpdateFlags(Page page, PageTableFlags flags)
    {
        PageTableLevel leafLevel = page.Size.LeafLevel();
        ulong va = page.StartAddress.Value;
        MapErrorKind problem = FindLeaf(va, leafLevel, out TableWalker walk, keepParentBits: true);
        if (problem != NoProblem)
            return MapError.Of(problem);
        ulong parentBits = PresentBit | (ulong)(flags & InheritedFlags);
        if ((walk.ParentBitsInCommon & parentBits) != parentBits)
            WidenParents(ref walk, leafLevel, parentBits);
        PageTableEntry* leaf = walk.Last;
        ulong raw = leaf->Raw;
        *leaf = new PageTableEntry((raw & PageTableEntry.AddressMask) | LeafBits(flags, leafLevel));
        _hardware.FlushPage(va);
        return (PageTableFlags)(raw & ~PageTableEntry.AddressMask);
    }

    /// <summary>No error: <see cref="FindLeaf"/> found the leaf. (A value outside <see cref="MapErrorKind"/>.)</summary>
    private const MapErrorKind NoProblem = (MapErrorKind)0xFF;

    /// <summary>Walks to the present leaf entry of a page of the size whose leaves are at
    /// <paramref name="leafLevel"/> (then <see cref="TableWalker.Last"/>), or says why there is none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private MapErrorKind FindLeaf(ulong va, PageTableLevel leafLevel, out TableWalker walk, bool keepParentBits = false)
    {
        WalkEnd end = Walk(va, leafLevel, PresentBit, out walk, keepParentBits);
        if (end == WalkEnd.Absent)
            return MapErrorKind.PageNotMapped;
        if (end == WalkEnd.Huge)
            return MapErrorKind.ParentEntryHugePage;
        ulong raw = walk.Last->Raw;
        // Above level 1 a present entry without HugePage is a table: no page of this size is mapped.
        if ((raw & PresentBit) == 0 || (leafLevel > PageTableLevel.One && (raw & HugeBit) == 0))
            return MapErrorKind.PageNotMapped;
        return NoProblem;
    }

    /// <summary>Sets the flags of the P4 entry that covers <paramref name="address"/>; returns the old ones.</summary>
    public Result<PageTableFlags, MapError> SetP4EntryFlags(VirtAddr address, PageTableFlags flags)
        => SetTableEntryFlags(address, PageTableLevel.Four, flags);

    /// <summary>Sets the flags of the P3 entry (pointing to a P2 table) that covers <paramref name="address"/>.</summary>
    public Result<PageTableFlags, MapError> SetP3EntryFlags(VirtAddr address, PageTableFlags flags)
        => SetTableEntryFlags(address, PageTableLevel.Three, flags);

    /// <summary>Sets the flags of the P2 entry (pointing to a P1 table) that covers <paramref name="address"/>.</summary>
    public Result<PageTableFlags, MapError> SetP2EntryFlags(VirtAddr address, PageTableFlags flags)
        => SetTableEntryFlags(address, PageTableLevel.Two, flags);

    /// <summary>
    /// The entry must point to a table (a huge page's entry is changed with <see cref="UpdateFlags"/>).
    /// Present is kept, HugePage cleared. Flushes the whole TLB, as the entry covers many pages; global pages
    /// below a narrowed entry keep stale rights until their own invlpg.
    /// </summary>
    private Result<PageTableFlags, MapError> SetTableEntryFlags(VirtAddr address, PageTableLevel targetLevel, PageTableFlags flags)
    {
        WalkEnd end = Walk(address.Value, targetLevel, PresentBit, out TableWalker walk);
        PageTableEntry* entry = walk.Last;
        if (end == WalkEnd.Absent || !entry->IsPresent)
            return MapError.PageNotMapped;
        if (end == WalkEnd.Huge || IsHuge(entry))
            return MapError.ParentEntryHugePage;
        PageTableFlags old = entry->Flags;
        entry->SetFlags((flags | PageTableFlags.Present) & ~PageTableFlags.HugePage);
        _hardware.FlushAll();
        return old;
    }
}
