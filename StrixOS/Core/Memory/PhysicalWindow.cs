namespace StrixOS.Memory;

/// <summary>
/// A window: a second mapping of physical memory that the offset map also covers, with a memory type of its
/// own (a framebuffer's write-combining pages). The Intel SDM leaves mixing memory types for one physical
/// page undefined (a write-back alias of write-combining memory can leave stale or torn lines), so the
/// offset map's pages of the range take the window's cache bits too: its huge pages are split where the
/// range ends inside them, and only the range changes type.
/// </summary>
public static class PhysicalWindow
{
    /// <summary>The leaf bits that choose a page's memory type (its PAT entry) besides the PAT bit itself:
    /// PWT and PCD.</summary>
    public const PageTableFlags CacheBits = PageTableFlags.WriteThrough | PageTableFlags.NoCache;

    /// <summary>
    /// Gives the offset map's pages of [physical, physical + length) the cache bits of <paramref name="flags"/>
    /// (the offset map shows physical 0 at <paramref name="offsetMap"/>: PHYS_MEM_OFFSET in the kernel),
    /// then maps the window at <paramref name="window"/> with <paramref name="flags"/> in 4 KiB pages. The
    /// offset map changes first, so no moment has two types; if the window then fails, the offset map keeps
    /// the new type (still one type per page). The caller flushes the caches when write-back lines may hold the
    /// range (the portable code has no wbinvd). <paramref name="flags"/> must not set the PAT bit (bit 7),
    /// which huge pages hold elsewhere.
    /// </summary>
    public static Result<RangeSummary, MapError> Map(OffsetPageTable pageTable, VirtAddr offsetMap, VirtAddr window,
        PhysAddr physical, ulong length, PageTableFlags flags, IFrameAllocator frames)
    {
        if (((physical.Value | length) & 0xFFF) != 0)
            return MapError.RangeNotAligned;
        if (length == 0)
            return default(RangeSummary);
        if (!OffsetMapAddress(offsetMap, physical, length).TryGetValue(out VirtAddr offsetMapped))
            return MapError.RangeOutOfBounds;
        Result<RangeSummary, MapError> retyped = pageTable.UpdateRangeFlags(offsetMapped, length, flags & CacheBits, CacheBits, frames);
        if (retyped.IsError)
            return retyped.Error;
        return pageTable.MapRange(window, physical, length, flags, frames, allowHugePages: false);
    }

    /// <summary>
    /// Compares, page by page, the memory type the window at <paramref name="window"/> and the offset map (at
    /// <paramref name="offsetMap"/>) select for [physical, physical + length): the first page where they
    /// differ or either does not map it.
    /// </summary>
    public static MemoryTypeCheck CheckMemoryTypes(OffsetPageTable pageTable, VirtAddr offsetMap, VirtAddr window,
        PhysAddr physical, ulong length)
    {
        if (length == 0)
            return new MemoryTypeCheck(MemoryTypeCheckResult.Same, physical.Value, 0, 0);
        if (!OffsetMapAddress(offsetMap, physical, length).TryGetValue(out VirtAddr offsetMapped))
            return new MemoryTypeCheck(MemoryTypeCheckResult.OffsetMapNotMapped, physical.Value, 0, 0);
        for (ulong at = 0; at < length; at += PageSizeExtensions.Bytes4KiB)
        {
            ulong address = physical.Value + at;
            Result<Translation, TranslateError> inWindow = pageTable.Translate(VirtAddr.NewTruncate(window.Value + at));
            if (!inWindow.TryGetValue(out Translation windowPage) || windowPage.Address.Value != address)
                return new MemoryTypeCheck(MemoryTypeCheckResult.WindowNotMapped, address, 0, 0);
            Result<Translation, TranslateError> inOffsetMap = pageTable.Translate(VirtAddr.NewTruncate(offsetMapped.Value + at));
            if (!inOffsetMap.TryGetValue(out Translation offsetPage) || offsetPage.Address.Value != address)
                return new MemoryTypeCheck(MemoryTypeCheckResult.OffsetMapNotMapped, address, 0, 0);
            int windowType = PatIndexOf(windowPage), offsetType = PatIndexOf(offsetPage);
            if (windowType != offsetType)
                return new MemoryTypeCheck(MemoryTypeCheckResult.TypesDiffer, address, windowType, offsetType);
        }
        return new MemoryTypeCheck(MemoryTypeCheckResult.Same, physical.Value, 0, 0);
    }

    /// <summary>The PAT entry (0-7) a page selects: PWT + 2 PCD + 4 PAT. The PAT bit is bit 7 of a 4 KiB
    /// entry; a huge page's (bit 12) is inside its address field, where <see cref="OffsetPageTable.Translate"/>
    /// already refuses it as a misaligned frame.</summary>
    public static int PatIndexOf(in Translation page)
    {
        int index = (page.Flags & PageTableFlags.WriteThrough) != 0 ? 1 : 0;
        if ((page.Flags & PageTableFlags.NoCache) != 0)
            index |= 2;
        if (page.Frame.Size == PageSize.Size4KiB && (page.Flags & PageTableFlags.HugePage) != 0)
            index |= 4;
        return index;
    }

    /// <summary>Where the offset map shows <paramref name="physical"/>; an error when the range would leave
    /// the address space.</summary>
    private static Result<VirtAddr, AddressError> OffsetMapAddress(VirtAddr offsetMap, PhysAddr physical, ulong length)
    {
        ulong start = offsetMap.Value + physical.Value;
        if (start < offsetMap.Value || start + (length - 1) < start)
            return AddressError.OutOfRange;
        Result<VirtAddr, AddressError> first = VirtAddr.TryNew(start);
        if (first.IsError || VirtAddr.TryNew(start + (length - 1)).IsError)
            return AddressError.OutOfRange;
        return first.Value;
    }
}

/// <summary>What <see cref="PhysicalWindow.CheckMemoryTypes"/> found.</summary>
public enum MemoryTypeCheckResult : byte
{
    /// <summary>Every page has one memory type in both mappings.</summary>
    Same,
    /// <summary>The two mappings of a page select different PAT entries: an alias.</summary>
    TypesDiffer,
    /// <summary>The window does not map a page to its frame.</summary>
    WindowNotMapped,
    /// <summary>The offset map does not map a page to its frame.</summary>
    OffsetMapNotMapped,
}

/// <summary>The result of <see cref="PhysicalWindow.CheckMemoryTypes"/>: the first page that is not
/// <see cref="MemoryTypeCheckResult.Same"/>, and for an alias the PAT entry each mapping selects.</summary>
public readonly struct MemoryTypeCheck
{
    public MemoryTypeCheck(MemoryTypeCheckResult result, ulong physicalAddress, int windowPatIndex, int offsetMapPatIndex)
    {
        Result = result;
        PhysicalAddress = physicalAddress;
        WindowPatIndex = windowPatIndex;
        OffsetMapPatIndex = offsetMapPatIndex;
    }

    public MemoryTypeCheckResult Result { get; }
    public ulong PhysicalAddress { get; }
    public int WindowPatIndex { get; }
    public int OffsetMapPatIndex { get; }
    public bool IsSame => Result == MemoryTypeCheckResult.Same;

    /// <summary>A sentence for a test failure or a report.</summary>
    public string Describe() => Result switch
    {
        MemoryTypeCheckResult.Same => "one memory type per page",
        MemoryTypeCheckResult.TypesDiffer => $"physical 0x{PhysicalAddress:X} is PAT entry {WindowPatIndex} in the window and {OffsetMapPatIndex} in the offset map",
        MemoryTypeCheckResult.WindowNotMapped => $"the window does not map physical 0x{PhysicalAddress:X}",
        MemoryTypeCheckResult.OffsetMapNotMapped => $"the offset map does not map physical 0x{PhysicalAddress:X}",
        _ => "unknown memory type check result",
    };
}
