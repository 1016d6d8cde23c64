using System.Collections.Generic;
using StrixOS.Memory;

namespace StrixOS.Tests.Memory;

/// <summary>
/// What a page-table hierarchy should contain, kept as plain sets: the mapped pages (start, size -> frame,
/// flags) and the page tables that exist (level, 48-bit start of the space they cover). It predicts the
/// outcome of every mapper operation from the x86-64 rules alone, without looking at the real tables.
/// </summary>
public sealed class PagingModel
{
    public readonly record struct MappedPage(ulong Frame, PageTableFlags Flags);
    public readonly record struct Table(int Level, ulong Base);

    private const ulong AddressSpaceMask = (1UL << 48) - 1;

    public PagingModel(int poolFrames) => PoolFrames = poolFrames;

    public Dictionary<(ulong Start, PageSize Size), MappedPage> Pages { get; } = new();
    public HashSet<Table> Tables { get; } = new();
    public int PoolFrames { get; }
    public int FreeFrames => PoolFrames - Tables.Count;

    public static ulong Span(int level) => 1UL << (3 + 9 * level);
    public static int LeafLevel(PageSize size) => (int)size + 1;
    private static PageSize SizeAt(int level) => (PageSize)(level - 1);
    private static ulong AlignDown(ulong value, ulong alignment) => value & ~(alignment - 1);

    private enum EntryState { Unused, Leaf, Table }

    /// <summary>The state of the entry at <paramref name="level"/> on the walk of <paramref name="address"/>.</summary>
    private EntryState State(int level, ulong address)
    {
        ulong entryStart = AlignDown(address, Span(level));
        if (level <= 3 && Pages.ContainsKey((entryStart, SizeAt(level))))
            return EntryState.Leaf;
        if (level >= 2 && Tables.Contains(new Table(level - 1, entryStart & AddressSpaceMask)))
            return EntryState.Table;
        return EntryState.Unused;
    }

    /// <summary>The tables a page of <paramref name="size"/> at <paramref name="start"/> lives under.</summary>
    public static IEnumerable<Table> TablesAbove(ulong start, PageSize size)
    {
        for (int level = 3; level >= LeafLevel(size); level--)
            yield return new Table(level, AlignDown(start, Span(level + 1)) & AddressSpaceMask);
    }

    private (ulong Start, PageSize Size, MappedPage Page)? LowestPageIn(ulong start, ulong length)
    {
        (ulong, PageSize, MappedPage)? lowest = null;
        foreach (KeyValuePair<(ulong Start, PageSize Size), MappedPage> page in Pages)
        {
            if (page.Key.Start >= start && page.Key.Start - start < length && (lowest is null || page.Key.Start < lowest.Value.Item1))
                lowest = (page.Key.Start, page.Key.Size, page.Value);
        }
        return lowest;
    }

    private MapError AlreadyMapped(ulong start, PageSize size)
        => MapError.AlreadyMapped(PagingFixture.Frame(Pages[(start, size)].Frame, size));

    /// <summary>Predicts MapTo; on success records the page and its new tables.</summary>
    public MapError? MapTo(ulong start, PageSize size, ulong frame, PageTableFlags flags)
    {
        int leaf = LeafLevel(size);
        bool missing = false;
        for (int level = 4; level > leaf; level--)
        {
            EntryState state = State(level, start);
            if (state == EntryState.Unused)
            {
                missing = true;
                break;
            }
            if (state == EntryState.Leaf)
                return MapError.ParentEntryHugePage;
        }
        List<Table> newTables = new();
        if (!missing)
        {
            EntryState state = State(leaf, start);
            if (state == EntryState.Leaf)
                return AlreadyMapped(start, size);
            if (state == EntryState.Table)
            {
                var lowest = LowestPageIn(start, size.Bytes());
                return lowest is null ? MapError.PageTableInTheWay : AlreadyMapped(lowest.Value.Start, lowest.Value.Size);
            }
        }
        foreach (Table table in TablesAbove(start, size))
        {
            if (!Tables.Contains(table))
                newTables.Add(table);
        }
        if (newTables.Count > FreeFrames)
            return MapError.FrameAllocationFailed;
        Tables.UnionWith(newTables);
        Pages[(start, size)] = new MappedPage(frame, flags);
        return null;
    }

    /// <summary>Predicts Unmap and UpdateFlags: null when the page is mapped at this size.</summary>
    public MapError? FindPage(ulong start, PageSize size)
    {
        int leaf = LeafLevel(size);
        for (int level = 4; level > leaf; level--)
        {
            EntryState state = State(level, start);
            if (state == EntryState.Unused)
                return MapError.PageNotMapped;
            if (state == EntryState.Leaf)
                return MapError.ParentEntryHugePage;
        }
        return Pages.ContainsKey((start, size)) ? null : MapError.PageNotMapped;
    }

    /// <summary>False when [start, start + length) leaves its half of the address space.</summary>
    public static bool InBounds(ulong start, ulong length)
        => start < VirtAddr.LowerHalfEnd ? length <= VirtAddr.LowerHalfEnd - start : length <= 0UL - start;

    /// <summary>Predicts MapRange by choosing pages one after another, as MapTo would see them.</summary>
    public MapError? MapRange(ulong start, ulong physical, ulong length, PageTableFlags flags, bool allowHugePages, out RangeSummary summary)
    {
        summary = default;
        if (!InBounds(start, length))
            return MapError.RangeOutOfBounds;
        List<(ulong Start, PageSize Size, ulong Frame)> chosen = new();
        HashSet<Table> newTables = new();
        // The tables this range creates count as existing for the pages after them.
        HashSet<Table> saved = new(Tables);
        ulong offset = 0;
        while (offset < length)
        {
            ulong address = start + offset;
            ulong frame = physical + offset;
            PageSize? size = null;
            for (int level = 4; level >= 1 && size is null; level--)
            {
                EntryState state = State(level, address);
                ulong span = Span(level);
                bool wantsHuge = allowHugePages && level is 2 or 3 && address % span == 0 && frame % span == 0 && length - offset >= span;
                if (level == 1)
                {
                    if (state == EntryState.Leaf)
                        return Restore(saved, AlreadyMapped(address, PageSize.Size4KiB));
                    size = PageSize.Size4KiB;
                }
                else if (wantsHuge && state == EntryState.Unused)
                    size = SizeAt(level);
                else if (state == EntryState.Leaf)
                    return Restore(saved, wantsHuge ? AlreadyMapped(AlignDown(address, span), SizeAt(level)) : MapError.ParentEntryHugePage);
            }
            PageSize pageSize = size!.Value;
            foreach (Table table in TablesAbove(address, pageSize))
            {
                if (Tables.Add(table))
                    newTables.Add(table);
            }
            chosen.Add((address, pageSize, frame));
            offset += pageSize.Bytes();
        }
        Tables.Clear();
        Tables.UnionWith(saved);
        if (newTables.Count > FreeFrames)
            return MapError.FrameAllocationFailed;
        Tables.UnionWith(newTables);
        ulong[] counts = new ulong[3];
        foreach (var page in chosen)
        {
            Pages[(page.Start, page.Size)] = new MappedPage(page.Frame, flags);
            counts[(int)page.Size]++;
        }
        summary = new RangeSummary(counts[0], counts[1], counts[2], (ulong)newTables.Count);
        return null;
    }

    private MapError Restore(HashSet<Table> saved, MapError error)
    {
        Tables.Clear();
        Tables.UnionWith(saved);
        return error;
    }

    /// <summary>Predicts UnmapRange: every page inside goes, a huge page sticking out refuses the whole range.</summary>
    public MapError? UnmapRange(ulong start, ulong length, out RangeSummary summary)
    {
        summary = default;
        if (!InBounds(start, length))
            return MapError.RangeOutOfBounds;
        List<(ulong, PageSize)> inside = new();
        foreach ((ulong Start, PageSize Size) key in Pages.Keys)
        {
            ulong pageLast = key.Start + (key.Size.Bytes() - 1);
            ulong last = start + (length - 1);
            bool overlaps = key.Start <= last && pageLast >= start;
            if (!overlaps)
                continue;
            if (key.Start < start || pageLast > last)
                return MapError.ParentEntryHugePage;
            inside.Add(key);
        }
        ulong[] counts = new ulong[3];
        foreach (var key in inside)
        {
            Pages.Remove(key);
            counts[(int)key.Item2]++;
        }
        summary = new RangeSummary(counts[0], counts[1], counts[2], 0);
        return null;
    }

    /// <summary>Predicts CleanUp: only the tables above some mapped page survive. Returns how many go.</summary>
    public ulong CleanUp()
    {
        HashSet<Table> needed = new();
        foreach ((ulong Start, PageSize Size) key in Pages.Keys)
            needed.UnionWith(TablesAbove(key.Start, key.Size));
        ulong freed = (ulong)(Tables.Count - needed.Count);
        Tables.Clear();
        Tables.UnionWith(needed);
        return freed;
    }

    /// <summary>The mapped page holding <paramref name="address"/>, if any.</summary>
    public bool TryFind(ulong address, out ulong pageStart, out PageSize size, out MappedPage page)
    {
        foreach (PageSize candidate in new[] { PageSize.Size4KiB, PageSize.Size2MiB, PageSize.Size1GiB })
        {
            ulong candidateStart = AlignDown(address, candidate.Bytes());
            if (Pages.TryGetValue((candidateStart, candidate), out page))
            {
                pageStart = candidateStart;
                size = candidate;
                return true;
            }
        }
        pageStart = 0;
        size = default;
        page = default;
        return false;
    }
}
