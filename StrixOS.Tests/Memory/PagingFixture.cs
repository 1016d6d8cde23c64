using System;
using System.Collections.Generic;
using StrixOS.Memory;

namespace StrixOS.Tests.Memory;

/// <summary>
/// A level-4 table plus a tracked pool of table frames in simulated memory, and the mapper over them.
/// Layout: frame 0 unused, the level-4 table at 0x1000, the pool right after it. Data frames that tests
/// map lie far above the simulated memory (<see cref="DataBase"/>) and are never touched.
/// </summary>
public sealed unsafe class PagingFixture : IDisposable
{
    public const ulong Level4Address = 0x1000;
    public const ulong PoolStart = 0x2000;
    /// <summary>1 TiB: 1 GiB aligned, far beyond any simulated memory.</summary>
    public const ulong DataBase = 1UL << 40;

    public PagingFixture(int poolFrames = 1024, bool zeroMemory = true)
    {
        Memory = new SimulatedPhysicalMemory(PoolStart + (ulong)poolFrames * 4096, zeroMemory);
        Memory.Bytes(PhysAddr.TryNew(Level4Address).Value, 4096).Clear();
        Level4Frame = Frame(Level4Address);
        Hardware = new SimulatedPagingHardware(Level4Address);
        Allocator = new TrackingFrameAllocator(PoolStart, poolFrames);
        Mapper = new OffsetPageTable(Level4Frame, Memory.Offset, Hardware);
    }

    public SimulatedPhysicalMemory Memory { get; }
    public SimulatedPagingHardware Hardware { get; }
    public PhysFrame Level4Frame { get; }
    public TrackingFrameAllocator Allocator { get; }
    public OffsetPageTable Mapper { get; }

    /// <summary>The level-4 table and the whole pool, byte for byte.</summary>
    public byte[] SnapshotTables() => Memory.Snapshot(Level4Frame.StartAddress, 4096 + Allocator.PoolBytes);

    /// <summary>Every table frame reachable from the level-4 table (not counting it), each once;
    /// a frame reached twice is reported in <paramref name="duplicates"/>.</summary>
    public HashSet<ulong> ReachableTables(List<ulong>? duplicates = null)
    {
        HashSet<ulong> found = new();
        Collect(Mapper.TableAt(Level4Frame.StartAddress), 4, found, duplicates);
        return found;
    }

    private void Collect(PageTable* table, int level, HashSet<ulong> found, List<ulong>? duplicates)
    {
        if (level == 1)
            return;
        PageTableEntry* entries = (PageTableEntry*)table;
        for (int i = 0; i < PageTable.EntryCount; i++)
        {
            PageTableEntry entry = entries[i];
            if (!entry.IsPresent || (entry.Flags & PageTableFlags.HugePage) != 0)
                continue;
            if (!found.Add(entry.Address.Value))
                duplicates?.Add(entry.Address.Value);
            Collect(Mapper.TableAt(entry.Address), level - 1, found, duplicates);
        }
    }

    /// <summary>The entry at <paramref name="level"/> on the walk of <paramref name="address"/>
    /// (the path must exist down to that level).</summary>
    public ref PageTableEntry EntryAt(VirtAddr address, PageTableLevel level)
    {
        PageTable* table = Mapper.TableAt(Level4Frame.StartAddress);
        for (PageTableLevel current = PageTableLevel.Four; current > level; current--)
            table = Mapper.TableAt((*table)[address.Index(current)].Address);
        return ref (*table)[address.Index(level)];
    }

    public void Dispose() => Memory.Dispose();

    public static VirtAddr Virt(ulong value) => VirtAddr.TryNew(value).Value;
    public static PhysAddr Phys(ulong value) => PhysAddr.TryNew(value).Value;
    public static Page PageAt(ulong address, PageSize size = PageSize.Size4KiB) => Page.TryFromStartAddress(Virt(address), size).Value;
    public static PhysFrame Frame(ulong address, PageSize size = PageSize.Size4KiB) => PhysFrame.TryFromStartAddress(Phys(address), size).Value;

    /// <summary>How many new tables a first mapping of this size needs: P3, P2 and P1 for 4 KiB.</summary>
    public static int TablesFor(PageSize size) => 3 - (int)size;
}
