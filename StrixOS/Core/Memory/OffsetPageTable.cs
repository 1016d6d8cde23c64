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
    /// <summary>Presence for mapping: an entry with any bit set is in use (a table, once Present is set).</summary>
    private const ulong AnyBits = ~0UL;
    private const PageTableFlags InheritedFlags = PageTableFlags.Writable | PageTableFlags.UserAccessible;

    private readonly PageTable* _level4;
    private readonly ulong _offset;
    private readonly IPagingHardware _hardware;
    /// <summary><see cref="PageTableEntry.AddressMask"/>, read from a field: a 64-bit constant is re-made
    /// (movabs) at every level of a walk, a field is loaded once into a register.</summary>
    private readonly ulong _addressMask = PageTableEntry.AddressMask;

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

    /// <summary>The walk of a single address (<see cref="TableWalker.WalkTo{TTarget}"/>), from this hierarchy's
    /// level-4 table down to the level <typeparamref name="TTarget"/> stands for, through entries that have
    /// every one of <paramref name="presenceBits"/> (flag bits; Present for the MMU's view).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Walk<TTarget>(ulong address, ulong presenceBits, out TableWalker walk, out PageTableEntry* last,
        bool record = false)
        where TTarget : struct, ILevelType
    {
        Unsafe.SkipInit(out walk);
        return walk.WalkTo<TTarget>(_level4, _offset, _addressMask, address, presenceBits, anyBit: false, record,
            keepParentBits: false, out last);
    }

    /// <summary>As <see cref="Walk{TTarget}"/>, through entries in use (any bit set, <see cref="AnyBits"/>), as
    /// mapping needs: it must not put a table over an entry that holds anything. Records every entry and keeps
    /// <see cref="TableWalker.ParentBitsInCommon"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool WalkInUse<TTarget>(ulong address, out TableWalker walk, out PageTableEntry* last)
        where TTarget : struct, ILevelType
    {
        Unsafe.SkipInit(out walk);
        return walk.WalkTo<TTarget>(_level4, _offset, _addressMask, address, AnyBits, anyBit: true, record: true,
            keepParentBits: true, out last);
    }

    // ---------------------------------------------------------------- translate

    /// <summary>Walks the tables as the MMU would: the frame (with its size), the offset in it and the leaf flags.</summary>
    public Result<Translation, TranslateError> Translate(VirtAddr address)
    {
        ulong va = address.Value;
        // Three return sites at most: with more, the compiler merges the results through the stack, and the
        // caller's 8-byte reload of the second word waits for the narrower stores. So the two common mapped
        // cases (a 4 KiB page; a 1 GiB page, found one level up) return here, everything else out of line.
        if (Walk<LevelOne>(va, PresentBit, out TableWalker walk, out PageTableEntry* last))
        {
            ulong raw = Read(last);
            if ((raw & PresentBit) == 0)
                return TranslateError.NotMapped;
            return TranslationOf(raw, va, PageTableLevel.One);
        }
        ulong stop = walk.StopEntry;
        const ulong OneGiBLeafBits = PresentBit | ((PageSizeExtensions.Bytes1GiB - 1) & PageTableEntry.AddressMask);
        if (walk.Level == PageTableLevel.Three && (stop & OneGiBLeafBits) == PresentBit)
            return TranslationOf(stop, va, PageTableLevel.Three);
        return HugeTranslation(stop, walk.Level, va);
    }

    /// <summary><see cref="Translate"/> where the walk stopped above level 1, at entry <paramref name="stop"/>
    /// of <paramref name="level"/>: a huge page (unless misaligned), else no mapping.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Result<Translation, TranslateError> HugeTranslation(ulong stop, PageTableLevel level, ulong va)
    {
        if ((stop & PresentBit) != 0)
        {
            if (level == PageTableLevel.Two)
                return HugeTranslation<LevelTwo>(stop, va);
            if (level == PageTableLevel.Three)
                return HugeTranslation<LevelThree>(stop, va);
        }
        // Absent, or bit 7 of a P4 entry, which is reserved: the MMU faults on such an address.
        return TranslateError.NotMapped;
    }

    /// <summary>The translation of <paramref name="va"/> by the present huge-page entry <paramref name="raw"/> at
    /// the level <typeparamref name="TLevel"/> stands for, unless the entry holds a misaligned address.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Result<Translation, TranslateError> HugeTranslation<TLevel>(ulong raw, ulong va)
        where TLevel : struct, ILevelType
    {
        if ((raw & PageTableEntry.AddressMask & (TLevel.Level.EntrySpan() - 1)) != 0)
            return TranslateError.InvalidFrameAddress;
        return TranslationOf(raw, va, TLevel.Level);
    }

    /// <summary>The physical address <paramref name="address"/> maps to (the same walk as <see cref="Translate"/>,
    /// without building a <see cref="Translation"/>).</summary>
    public Result<PhysAddr, TranslateError> TranslateAddr(VirtAddr address)
    {
        ulong va = address.Value;
        if (Walk<LevelOne>(va, PresentBit, out TableWalker walk, out PageTableEntry* last))
        {
            ulong raw = Read(last);
            if ((raw & PresentBit) == 0)
                return TranslateError.NotMapped;
            return PhysAddr.NewUnchecked((raw & _addressMask) | (va & (PageTableLevel.One.EntrySpan() - 1)));
        }
        // Out of line: with more return sites here, the compiler merges the 16-byte results through the stack,
        // byte by byte, and the caller's 8-byte reload of them waits for the stores (no store forwarding).
        return HugeAddress(walk.StopEntry, walk.Level, va);
    }

    /// <summary><see cref="TranslateAddr"/> where the walk stopped above level 1, at entry <paramref name="stop"/>
    /// of <paramref name="level"/>: a huge page (unless misaligned), else no mapping.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Result<PhysAddr, TranslateError> HugeAddress(ulong stop, PageTableLevel level, ulong va)
    {
        if ((stop & PresentBit) != 0)
        {
            if (level == PageTableLevel.Two)
                return HugeAddress<LevelTwo>(stop, va);
            if (level == PageTableLevel.Three)
                return HugeAddress<LevelThree>(stop, va);
        }
        // Absent, or bit 7 of a P4 entry, which is reserved: the MMU faults on such an address.
        return TranslateError.NotMapped;
    }

    /// <summary>As <see cref="HugeTranslation"/>, the physical address only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Result<PhysAddr, TranslateError> HugeAddress<TLevel>(ulong raw, ulong va)
        where TLevel : struct, ILevelType
    {
        ulong offsetMask = TLevel.Level.EntrySpan() - 1;
        if ((raw & PageTableEntry.AddressMask & offsetMask) != 0)
            return TranslateError.InvalidFrameAddress;
        return PhysAddr.NewUnchecked((raw & PageTableEntry.AddressMask) | (va & offsetMask));
    }

    /// <summary>The translation of <paramref name="va"/> by the present leaf <paramref name="raw"/> at
    /// <paramref name="level"/>, whose frame address is aligned to the page size. (The offset is taken in 32
    /// bits: every page size fits, and the result's second word then needs no zero extension.)</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Translation TranslationOf(ulong raw, ulong va, PageTableLevel level)
        => new(raw, (uint)va & (uint)(level.EntrySpan() - 1), level.LeafSize());

    /// <summary>The value of <paramref name="entry"/>. (Read through the pointer, not with
    /// <see cref="PageTableEntry.Raw"/>: the compiler then folds the entry's address into the load.)</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Read(PageTableEntry* entry) => *(ulong*)entry;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Write(PageTableEntry* entry, ulong value) => *(ulong*)entry = value;

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
    /// <remarks>Inlined into the caller, which then calls the fast path of its page size directly
    /// (<see cref="TryMapInPlace"/>) and builds the result itself; everything else is out of line.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Result<Page, MapError> MapToWithTableFlags(
        Page page, PhysFrame frame, PageTableFlags flags, PageTableFlags parentFlags, IFrameAllocator allocator)
    {
        // The sizes are the low bits of both words: one comparison.
        if (((page.Bits ^ frame.Bits) & Page.SizeBits) != 0)
            return MapError.PageSizeMismatch;
        // Flag bits only: the fast path's walk and the new table entries rely on it.
        ulong parentBits = ((ulong)parentFlags | PresentBit) & ~(HugeBit | PageTableEntry.AddressMask);
        // A frame's start is aligned to its size and below 2^52 (PhysFrame checks both): no mask needed.
        ulong frameStart = frame.StartAddress.Value;
        bool mapped = page.Size switch
        {
            PageSize.Size4KiB => TryMapInPlace<LevelOne>(page.Bits, frameStart | LeafBits(flags, PageTableLevel.One), parentBits),
            PageSize.Size2MiB => TryMapInPlace<LevelTwo>(page.Bits, frameStart | LeafBits(flags, PageTableLevel.Two), parentBits),
            _ => TryMapInPlace<LevelThree>(page.Bits, frameStart | LeafBits(flags, PageTableLevel.Three), parentBits),
        };
        return mapped ? page : MapWithTableChanges(page, frame, flags, parentBits, allocator);
    }

    /// <summary>
    /// The common case of mapping, for a page (<paramref name="pageBits"/>: <see cref="Page.Bits"/>) whose leaf
    /// is at the level <typeparamref name="TLeaf"/> stands for: every table exists and has
    /// <paramref name="parentBits"/> (flag bits, Present among them), and the leaf entry is unused. Then one
    /// read-only walk and one write of <paramref name="leaf"/>, and true; else false, having changed nothing
    /// (<see cref="MapWithTableChanges"/> does the rest). Small and call-free, so it saves no registers; one
    /// specialised copy per page size, so the walk has constant shifts.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryMapInPlace<TLeaf>(ulong pageBits, ulong leaf, ulong parentBits)
        where TLeaf : struct, ILevelType
    {
        // The walk itself checks the parents: it goes down only through entries that have every parent bit.
        if (Walk<TLeaf>(pageBits, parentBits, out _, out PageTableEntry* entry) && Read(entry) == 0)
        {
            Write(entry, leaf);
            return true;
        }
        return false;
    }

    /// <summary><see cref="MapToWithTableFlags"/> when <see cref="TryMapInPlace"/> did not map.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Result<Page, MapError> MapWithTableChanges(Page page, PhysFrame frame, PageTableFlags flags, ulong parentBits, IFrameAllocator allocator)
        => page.Size switch
        {
            PageSize.Size4KiB => MapWithTableChanges<LevelOne>(page, frame.StartAddress.Value | LeafBits(flags, PageTableLevel.One), parentBits, allocator),
            PageSize.Size2MiB => MapWithTableChanges<LevelTwo>(page, frame.StartAddress.Value | LeafBits(flags, PageTableLevel.Two), parentBits, allocator),
            _ => MapWithTableChanges<LevelThree>(page, frame.StartAddress.Value | LeafBits(flags, PageTableLevel.Three), parentBits, allocator),
        };

    /// <summary>
    /// The mapping of a page whose leaf is at the level <typeparamref name="TLeaf"/> stands for when
    /// <see cref="TryMapInPlace"/> did not map: walks again, recording the entries, and reports a conflict, or
    /// widens the parents, or creates the missing tables (if the allocator can supply them all), then writes
    /// <paramref name="leaf"/>.
    /// </summary>
    private Result<Page, MapError> MapWithTableChanges<TLeaf>(Page page, ulong leaf, ulong parentBits, IFrameAllocator allocator)
        where TLeaf : struct, ILevelType
    {
        PageTableLevel leafLevel = TLeaf.Level;
        ulong va = page.StartAddress.Value;
        // Read-only pass: the walk finds any conflict and records the entries for the write pass.
        if (WalkInUse<TLeaf>(va, out TableWalker walk, out PageTableEntry* entry))
        {
            if (!entry->IsUnused)
                return ConflictAt(entry, leafLevel);
            // Write pass: every table exists, some parent lacks bits.
            bool widened = (walk.ParentBitsInCommon & parentBits) != parentBits && WidenParents(ref walk, leafLevel, parentBits);
            Write(entry, leaf);
            if (widened)
            {
                Level4EntryWritten(walk.EntryAt(PageTableLevel.Four), created: false);
                _hardware.FlushPage(va); // Drops cached parent entries with the old, narrower rights.
            }
            return page;
        }
        if (walk.StoppedAt(AnyBits) == WalkEnd.Huge)
            return MapError.ParentEntryHugePage;
        return MapThroughNewTables(page, leaf, parentBits, allocator, ref walk);
    }

    /// <summary>The rest of <see cref="MapToWithTableFlags"/> when the walk stopped at an unused entry above
    /// the leaf: the tables from there down are created (if the allocator can supply them all), then the leaf.</summary>
    private Result<Page, MapError> MapThroughNewTables(
        Page page, ulong leaf, ulong parentBits, IFrameAllocator allocator, ref TableWalker walk)
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
        Write(entry, leaf);
        if (widened || missingLevel == PageTableLevel.Four)
            Level4EntryWritten(walk.EntryAt(PageTableLevel.Four), created: missingLevel == PageTableLevel.Four);
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
    /// <remarks>Inlined: the caller calls the fast path of its page size (<see cref="TryUnmapInPlace"/>), then
    /// flushes. The flush is here rather than in the fast path: where the hardware's type is not known to the
    /// compiler (more than one implementation), the call would make the fast path save registers on every call.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Result<PhysFrame, MapError> Unmap(Page page)
    {
        ulong start = page.Size switch
        {
            PageSize.Size4KiB => TryUnmapInPlace<LevelOne>(page.Bits),
            PageSize.Size2MiB => TryUnmapInPlace<LevelTwo>(page.Bits),
            _ => TryUnmapInPlace<LevelThree>(page.Bits),
        };
        if (start == NotDone)
            return UnmapError(page);
        _hardware.FlushPage(page.StartAddress.Value);
        return PhysFrame.NewUnchecked(start, page.Size);
    }

    /// <summary>What the fast paths return when they changed nothing (no frame address or flags can be all ones).</summary>
    private const ulong NotDone = ~0UL;

    /// <summary>Unmaps the page (<paramref name="pageBits"/>: <see cref="Page.Bits"/>) whose leaf is at the level
    /// <typeparamref name="TLeaf"/> stands for and returns its frame's address (the caller flushes the page);
    /// <see cref="NotDone"/> (nothing changed) when it is not mapped at that size or its entry is misaligned
    /// (<see cref="UnmapError"/> says which).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong TryUnmapInPlace<TLeaf>(ulong pageBits)
        where TLeaf : struct, ILevelType
    {
        if (!Walk<TLeaf>(pageBits, PresentBit, out _, out PageTableEntry* leaf))
            return NotDone;
        ulong raw = Read(leaf);
        // One test for "a page of this size is mapped here": Present, and above level 1 HugePage and a frame
        // address aligned to the page size (a 4 KiB frame is aligned by the mask).
        ulong leafBits = TLeaf.Level == PageTableLevel.One ? PresentBit : PresentBit | HugeBit;
        ulong testedBits = TLeaf.Level == PageTableLevel.One
            ? PresentBit
            : leafBits | ((TLeaf.Level.EntrySpan() - 1) & PageTableEntry.AddressMask);
        if ((raw & testedBits) != leafBits)
            return NotDone;
        Write(leaf, 0);
        return raw & _addressMask;
    }

    /// <summary>Why <see cref="TryUnmapInPlace"/> unmapped nothing (a second, read-only walk: errors are rare).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private MapError UnmapError(Page page) => page.Size switch
    {
        PageSize.Size4KiB => UnmapError<LevelOne>(page.StartAddress.Value),
        PageSize.Size2MiB => UnmapError<LevelTwo>(page.StartAddress.Value),
        _ => UnmapError<LevelThree>(page.StartAddress.Value),
    };

    private MapError UnmapError<TLeaf>(ulong va)
        where TLeaf : struct, ILevelType
    {
        if (!FindLeaf<TLeaf>(va, out _, out _, out ulong raw, out MapErrorKind problem))
            return MapError.Of(problem);
        return MapError.InvalidFrameAddress(PhysAddr.NewUnchecked(raw & PageTableEntry.AddressMask));
    }

    /// <summary>
    /// Replaces the flags of the mapped <paramref name="page"/> (Present kept, HugePage managed) and returns
    /// the old ones. Parent entries gain the Writable and UserAccessible bits the new flags need. Flushes the page.
    /// </summary>
    /// <remarks>Inlined: the caller calls the fast path of its page size (<see cref="TryUpdateFlagsInPlace"/>).
    /// (Unlike <see cref="Unmap"/>, the flush stays in the fast path: measured, the caller's loop lost more
    /// by keeping the flags across the flush than the fast path saves.)</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Result<PageTableFlags, MapError> UpdateFlags(Page page, PageTableFlags flags)
    {
        ulong old = page.Size switch
        {
            PageSize.Size4KiB => TryUpdateFlagsInPlace<LevelOne>(page.Bits, flags),
            PageSize.Size2MiB => TryUpdateFlagsInPlace<LevelTwo>(page.Bits, flags),
            _ => TryUpdateFlagsInPlace<LevelThree>(page.Bits, flags),
        };
        if (old == NotDone)
            return UpdateFlagsWidening(page, flags);
        return (PageTableFlags)old;
    }

    /// <summary>The common case of <see cref="UpdateFlags"/>, for a page whose leaf is at the level
    /// <typeparamref name="TLeaf"/> stands for: the page is mapped and its parents have the bits the new flags
    /// need. Then writes the leaf, flushes the page and returns the old flags; else <see cref="NotDone"/>,
    /// having changed nothing.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong TryUpdateFlagsInPlace<TLeaf>(ulong pageBits, PageTableFlags flags)
        where TLeaf : struct, ILevelType
    {
        // The walk goes down only through parents that have the bits the new flags need.
        ulong parentBits = PresentBit | (ulong)(flags & InheritedFlags);
        if (!FindLeaf<TLeaf>(pageBits, out _, out PageTableEntry* leaf, out ulong raw, out _, parentBits))
            return NotDone;
        ulong frameBits = raw & _addressMask;
        Write(leaf, frameBits | LeafBits(flags, TLeaf.Level));
        _hardware.FlushPage(pageBits & ~Page.SizeBits);
        return raw ^ frameBits;
    }

    /// <summary><see cref="UpdateFlags"/> when <see cref="TryUpdateFlagsInPlace"/> changed nothing: walks again,
    /// recording the entries; reports why the page is not mapped, or widens the parents and writes the leaf.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Result<PageTableFlags, MapError> UpdateFlagsWidening(Page page, PageTableFlags flags) => page.Size switch
    {
        PageSize.Size4KiB => UpdateFlagsWidening<LevelOne>(page.StartAddress.Value, flags),
        PageSize.Size2MiB => UpdateFlagsWidening<LevelTwo>(page.StartAddress.Value, flags),
        _ => UpdateFlagsWidening<LevelThree>(page.StartAddress.Value, flags),
    };

    private Result<PageTableFlags, MapError> UpdateFlagsWidening<TLeaf>(ulong va, PageTableFlags flags)
        where TLeaf : struct, ILevelType
    {
        if (!FindLeaf<TLeaf>(va, out TableWalker walk, out PageTableEntry* leaf, out ulong raw, out MapErrorKind problem, record: true))
            return MapError.Of(problem);
        ulong parentBits = PresentBit | (ulong)(flags & InheritedFlags);
        if (WidenParents(ref walk, TLeaf.Level, parentBits))
            Level4EntryWritten(walk.EntryAt(PageTableLevel.Four), created: false);
        *leaf = new PageTableEntry((raw & PageTableEntry.AddressMask) | LeafBits(flags, TLeaf.Level));
        _hardware.FlushPage(va);
        return (PageTableFlags)(raw & ~PageTableEntry.AddressMask);
    }

    /// <summary>Walks to the present leaf entry of a page of the size whose leaves are at the level
    /// <typeparamref name="TLeaf"/> stands for (<paramref name="raw"/> its value); false, with the reason in
    /// <paramref name="problem"/>, when there is none (meaningful for the default <paramref name="parentBits"/>,
    /// Present: with more bits a parent that lacks some is reported as not present).
    /// <paramref name="parentBits"/> and <paramref name="record"/> as for <see cref="TableWalker.WalkTo{TTarget}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool FindLeaf<TLeaf>(ulong va, out TableWalker walk, out PageTableEntry* leaf, out ulong raw, out MapErrorKind problem,
        ulong parentBits = PresentBit, bool record = false)
        where TLeaf : struct, ILevelType
    {
        if (!Walk<TLeaf>(va, parentBits, out walk, out leaf, record))
        {
            raw = 0;
            problem = walk.StoppedAt(PresentBit) == WalkEnd.Absent ? MapErrorKind.PageNotMapped : MapErrorKind.ParentEntryHugePage;
            return false;
        }
        raw = Read(leaf);
        // Above level 1 a present entry without HugePage is a table: no page of this size is mapped.
        if ((raw & PresentBit) == 0 || (TLeaf.Level > PageTableLevel.One && (raw & HugeBit) == 0))
        {
            problem = MapErrorKind.PageNotMapped;
            return false;
        }
        problem = default;
        return true;
    }

    /// <summary>Sets the flags of the P4 entry that covers <paramref name="address"/>; returns the old ones.</summary>
    public Result<PageTableFlags, MapError> SetP4EntryFlags(VirtAddr address, PageTableFlags flags)
        => SetTableEntryFlags<LevelFour>(address, flags);

    /// <summary>Sets the flags of the P3 entry (pointing to a P2 table) that covers <paramref name="address"/>.</summary>
    public Result<PageTableFlags, MapError> SetP3EntryFlags(VirtAddr address, PageTableFlags flags)
        => SetTableEntryFlags<LevelThree>(address, flags);

    /// <summary>Sets the flags of the P2 entry (pointing to a P1 table) that covers <paramref name="address"/>.</summary>
    public Result<PageTableFlags, MapError> SetP2EntryFlags(VirtAddr address, PageTableFlags flags)
        => SetTableEntryFlags<LevelTwo>(address, flags);

    /// <summary>
    /// The entry must point to a table (a huge page's entry is changed with <see cref="UpdateFlags"/>).
    /// Present is kept, HugePage cleared. Flushes the whole TLB, as the entry covers many pages; global pages
    /// below a narrowed entry keep stale rights until their own invlpg.
    /// </summary>
    private Result<PageTableFlags, MapError> SetTableEntryFlags<TLevel>(VirtAddr address, PageTableFlags flags)
        where TLevel : struct, ILevelType
    {
        if (!Walk<TLevel>(address.Value, PresentBit, out TableWalker walk, out PageTableEntry* entry))
            return walk.StoppedAt(PresentBit) == WalkEnd.Absent ? MapError.PageNotMapped : MapError.ParentEntryHugePage;
        if (!entry->IsPresent)
            return MapError.PageNotMapped;
        if (IsHuge(entry))
            return MapError.ParentEntryHugePage;
        PageTableFlags old = entry->Flags;
        entry->SetFlags((flags | PageTableFlags.Present) & ~PageTableFlags.HugePage);
        if (TLevel.Level == PageTableLevel.Four)
            Level4EntryWritten(entry, created: false);
        _hardware.FlushAll();
        return old;
    }
}
