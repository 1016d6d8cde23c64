using System;
using System.Runtime.CompilerServices;
using StrixOS.Memory;

namespace StrixOS.Benchmarks;

/// <summary>
/// The per-operation mapper workloads of docs/benchmarks.md, one source for every place they run:
/// BenchmarkDotNet under the JIT and under NativeAOT (host/StrixOS.Benchmarks/MapperOperationBenchmarks.cs,
/// simulated physical memory) and the kernel (command line <c>bench=memory</c>, real page tables that are not
/// active, timed with the TSC). Each workload does <see cref="OperationsPerWorkload"/> calls of one operation
/// on the pages of one table and leaves the tables as it found them, so it can be repeated any number of times.
/// </summary>
public sealed unsafe class MapperWorkloads
{
    /// <summary>Calls per workload: every entry of one table.</summary>
    public const int OperationsPerWorkload = 512;

    private const ulong GiB = 1UL << 30;
    private const ulong TiB = 1UL << 40;
    private const PageTableFlags Flags = PageTableFlags.Present | PageTableFlags.Writable | PageTableFlags.NoExecute;
    private const PageTableFlags ReadOnlyFlags = PageTableFlags.Present | PageTableFlags.NoExecute;

    // Virtual regions (all in the lower half, one table each); data frames are never touched.
    private const ulong Map4KiBStart = 1 * GiB;        // P1 table, empty between workloads
    private const ulong Map2MiBStart = 2 * GiB;        // P2 table, empty between workloads
    private const ulong Stable4KiBStart = 3 * GiB;     // P1 table, always full
    private const ulong Stable2MiBStart = 4 * GiB;     // P2 table, always full
    private const ulong Map1GiBStart = 512 * GiB;      // P3 table, empty between workloads
    private const ulong Stable1GiBStart = 1 * TiB;     // P3 table, always full
    private const ulong DataStart = 64 * GiB;          // physical frames the pages point to
    private const ulong ProbeOffset = 0x123;

    private readonly OffsetPageTable _mapper;
    private readonly EmptyFrameAllocator _noFrames = new();
    private readonly PageTable* _map4KiBTable;
    private readonly PageTable* _map2MiBTable;
    private readonly PageTable* _map1GiBTable;
    private readonly Page[] _pages4KiB;
    private readonly Page[] _pages2MiB;
    private readonly Page[] _pages1GiB;
    private readonly Page[] _stablePages4KiB;
    private readonly PhysFrame[] _frames4KiB;
    private readonly PhysFrame[] _frames2MiB;
    private readonly PhysFrame[] _frames1GiB;
    private readonly VirtAddr[] _probes4KiB;
    private readonly VirtAddr[] _probes2MiB;
    private readonly VirtAddr[] _probes1GiB;
    private bool _readOnly;

    /// <summary>Builds the regions in <paramref name="mapper"/>'s (inactive, empty lower half) tables; the
    /// tables come from <paramref name="tables"/> (about 10 frames).</summary>
    public MapperWorkloads(OffsetPageTable mapper, IFrameAllocator tables)
    {
        _mapper = mapper;
        _map4KiBTable = MakeTable(Map4KiBStart, PageSize.Size4KiB, tables);
        _map2MiBTable = MakeTable(Map2MiBStart, PageSize.Size2MiB, tables);
        _map1GiBTable = MakeTable(Map1GiBStart, PageSize.Size1GiB, tables);
        Fill(Stable4KiBStart, PageSize.Size4KiB, tables);
        Fill(Stable2MiBStart, PageSize.Size2MiB, tables);
        Fill(Stable1GiBStart, PageSize.Size1GiB, tables);
        // Arguments are made once: the workloads time the mapper, not the checked constructors.
        _pages4KiB = Pages(Map4KiBStart, PageSize.Size4KiB);
        _pages2MiB = Pages(Map2MiBStart, PageSize.Size2MiB);
        _pages1GiB = Pages(Map1GiBStart, PageSize.Size1GiB);
        _stablePages4KiB = Pages(Stable4KiBStart, PageSize.Size4KiB);
        _frames4KiB = Frames(PageSize.Size4KiB);
        _frames2MiB = Frames(PageSize.Size2MiB);
        _frames1GiB = Frames(PageSize.Size1GiB);
        _probes4KiB = Probes(Stable4KiBStart, PageSize.Size4KiB);
        _probes2MiB = Probes(Stable2MiBStart, PageSize.Size2MiB);
        _probes1GiB = Probes(Stable1GiBStart, PageSize.Size1GiB);
    }

    private static Page[] Pages(ulong start, PageSize size)
    {
        var pages = new Page[OperationsPerWorkload];
        for (int i = 0; i < pages.Length; i++)
            pages[i] = Page.TryFromStartAddress(VirtAddr.TryNew(start + (ulong)i * size.Bytes()).Value, size).Value;
        return pages;
    }

    private static PhysFrame[] Frames(PageSize size)
    {
        var frames = new PhysFrame[OperationsPerWorkload];
        for (int i = 0; i < frames.Length; i++)
            frames[i] = PhysFrame.TryFromStartAddress(PhysAddr.TryNew(DataStart + (ulong)i * size.Bytes()).Value, size).Value;
        return frames;
    }

    /// <summary>An address inside each of 512 consecutive pages.</summary>
    private static VirtAddr[] Probes(ulong start, PageSize size)
    {
        var probes = new VirtAddr[OperationsPerWorkload];
        for (int i = 0; i < probes.Length; i++)
            probes[i] = VirtAddr.TryNew(start + (ulong)i * size.Bytes() + ProbeOffset).Value;
        return probes;
    }

    /// <summary>The names of the workloads, in the order <see cref="Run"/> numbers them.</summary>
    public static readonly string[] Names =
    {
        "MapTo 4KiB", "MapTo 2MiB", "MapTo 1GiB", "Unmap 4KiB", "Unmap 2MiB", "Unmap 1GiB",
        "Translate 4KiB", "Translate 2MiB", "Translate 1GiB", "TranslateAddr 4KiB", "UpdateFlags 4KiB",
    };

    /// <summary>Runs workload <paramref name="index"/> of <see cref="Names"/> once; returns a checksum.</summary>
    public ulong Run(int index) => index switch
    {
        0 => MapTo(_pages4KiB, _frames4KiB, _map4KiBTable),
        1 => MapTo(_pages2MiB, _frames2MiB, _map2MiBTable),
        2 => MapTo(_pages1GiB, _frames1GiB, _map1GiBTable),
        3 => Unmap(_pages4KiB, _frames4KiB, _map4KiBTable),
        4 => Unmap(_pages2MiB, _frames2MiB, _map2MiBTable),
        5 => Unmap(_pages1GiB, _frames1GiB, _map1GiBTable),
        6 => Translate(_probes4KiB),
        7 => Translate(_probes2MiB),
        8 => Translate(_probes1GiB),
        9 => TranslateAddr(_probes4KiB),
        10 => UpdateFlags(_stablePages4KiB),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    /// <summary>512 MapTo into an existing, empty table, then the table is cleared again (a 4 KiB clear,
    /// under 0.2 ns per call).</summary>
    private ulong MapTo(Page[] pages, PhysFrame[] frames, PageTable* table)
    {
        ulong mapped = 0;
        for (int i = 0; i < pages.Length; i++)
        {
            if (_mapper.MapTo(pages[i], frames[i], Flags, _noFrames).IsOk)
                mapped++;
        }
        table->Zero();
        return Expect(mapped);
    }

    /// <summary>The table is filled with raw entry writes (512 stores), then 512 Unmap empty it.</summary>
    private ulong Unmap(Page[] pages, PhysFrame[] frames, PageTable* table)
    {
        ulong huge = pages[0].Size == PageSize.Size4KiB ? 0 : (ulong)PageTableFlags.HugePage;
        ulong* entries = (ulong*)table;
        for (int i = 0; i < frames.Length; i++)
            entries[i] = frames[i].StartAddress.Value | (ulong)Flags | huge;
        ulong unmapped = 0;
        for (int i = 0; i < pages.Length; i++)
        {
            if (_mapper.Unmap(pages[i]).IsOk)
                unmapped++;
        }
        return Expect(unmapped);
    }

    /// <summary>512 Translate of addresses inside consecutive pages (the tables stay in cache).</summary>
    private ulong Translate(VirtAddr[] probes)
    {
        ulong found = 0;
        for (int i = 0; i < probes.Length; i++)
        {
            if (_mapper.Translate(probes[i]).TryGetValue(out Translation translation) && translation.Offset == ProbeOffset)
                found++;
        }
        return Expect(found);
    }

    private ulong TranslateAddr(VirtAddr[] probes)
    {
        ulong found = 0;
        for (int i = 0; i < probes.Length; i++)
        {
            if (_mapper.TranslateAddr(probes[i]).TryGetValue(out PhysAddr physical) && (physical.Value & 0xFFF) == ProbeOffset)
                found++;
        }
        return Expect(found);
    }

    /// <summary>512 UpdateFlags, alternating between read-only and writable from one run to the next.</summary>
    private ulong UpdateFlags(Page[] pages)
    {
        _readOnly = !_readOnly;
        PageTableFlags flags = _readOnly ? ReadOnlyFlags : Flags;
        ulong updated = 0;
        for (int i = 0; i < pages.Length; i++)
        {
            if (_mapper.UpdateFlags(pages[i], flags).IsOk)
                updated++;
        }
        return Expect(updated);
    }

    private static ulong Expect(ulong count)
        => count == OperationsPerWorkload ? count : throw new InvalidOperationException("a mapper workload call failed");

    /// <summary>Creates the tables down to the one holding <paramref name="size"/> leaves at
    /// <paramref name="start"/>, leaves it empty and returns it.</summary>
    private PageTable* MakeTable(ulong start, PageSize size, IFrameAllocator tables)
    {
        Page page = Page.TryFromStartAddress(VirtAddr.TryNew(start).Value, size).Value;
        PhysFrame frame = PhysFrame.TryFromStartAddress(PhysAddr.TryNew(DataStart).Value, size).Value;
        _ = _mapper.MapTo(page, frame, Flags, tables).Value;
        _ = _mapper.Unmap(page).Value;
        return LeafTable(start, size);
    }

    private void Fill(ulong start, PageSize size, IFrameAllocator tables)
    {
        ulong step = size.Bytes();
        for (ulong i = 0; i < OperationsPerWorkload; i++)
        {
            Page page = Page.TryFromStartAddress(VirtAddr.TryNew(start + i * step).Value, size).Value;
            PhysFrame frame = PhysFrame.TryFromStartAddress(PhysAddr.TryNew(DataStart + i * step).Value, size).Value;
            _ = _mapper.MapTo(page, frame, Flags, tables).Value;
        }
    }

    /// <summary>The table whose entries are the leaves of <paramref name="size"/> pages at <paramref name="start"/>.</summary>
    private PageTable* LeafTable(ulong start, PageSize size)
    {
        PageTable* table = (PageTable*)Unsafe.AsPointer(ref _mapper.Level4Table);
        int leafLevel = (int)size.LeafLevel();
        for (int level = 4; level > leafLevel; level--)
        {
            int index = (int)((start >> (3 + 9 * level)) & 511);
            PageTableEntry entry = ((PageTableEntry*)table)[index];
            table = _mapper.TableAt(entry.Address);
        }
        return table;
    }
}
