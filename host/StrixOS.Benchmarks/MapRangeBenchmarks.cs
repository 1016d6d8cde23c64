using BenchmarkDotNet.Attributes;
using StrixOS.Memory;
using StrixOS.Tests.Memory;

namespace StrixOS.Benchmarks;

/// <summary>
/// Mapping 1 GiB into an empty address space: page-by-page MapTo against one MapRange call, with 4 KiB
/// pages only (262144 entries, 514 new tables = 2 MiB of table memory) and with huge pages allowed. Every
/// invocation starts from an empty level-4 table and a fresh table allocator (cost: a 4 KiB clear).
/// </summary>
public unsafe class MapRangeBenchmarks
{
    private const ulong GiB = 1UL << 30;
    private const ulong TablePoolStart = 0x2000;
    private const ulong MemorySize = 4UL << 20;
    private const PageTableFlags Flags = PageTableFlags.Present | PageTableFlags.Writable;

    private static readonly VirtAddr VirtualStart = VirtAddr.TryNew(256 * GiB).Value;
    /// <summary>Data frames lie above the simulated memory and are never touched.</summary>
    private static readonly PhysAddr PhysicalStart = PhysAddr.TryNew(4 * GiB).Value;

    private SimulatedPhysicalMemory _memory = null!;
    private OffsetPageTable _mapper = null!;
    private MemoryMap _tablePool = null!;

    [GlobalSetup]
    public void Setup()
    {
        _memory = new SimulatedPhysicalMemory(MemorySize);
        PhysFrame level4 = PhysFrame.TryFromStartAddress(PhysAddr.TryNew(0x1000).Value).Value;
        _mapper = new OffsetPageTable(level4, _memory.Offset, new SimulatedPagingHardware(0x1000));
        _tablePool = GuestMemoryMap.Normalized(new[] { new MemoryRegion(TablePoolStart, MemorySize, MemoryRegionType.Usable) });
    }

    [GlobalCleanup]
    public void Cleanup() => _memory.Dispose();

    private BootInfoFrameAllocator Reset()
    {
        _mapper.Level4Table.Zero();
        return new BootInfoFrameAllocator(_tablePool);
    }

    [Benchmark(Baseline = true)]
    public ulong PageByPage_MapTo_4KiB()
    {
        BootInfoFrameAllocator allocator = Reset();
        PageRange pages = PageRange.TryNew(Page.TryFromStartAddress(VirtualStart).Value, GiB / 4096).Value;
        PhysFrameRange.Enumerator frames = PhysFrameRange.TryNew(PhysFrame.TryFromStartAddress(PhysicalStart).Value, GiB / 4096).Value.GetEnumerator();
        ulong mapped = 0;
        foreach (Page page in pages)
        {
            frames.MoveNext();
            if (_mapper.MapTo(page, frames.Current, Flags, allocator).IsOk)
                mapped++;
        }
        return mapped;
    }

    [Benchmark]
    public ulong MapRange_4KiB() => _mapper.MapRange(VirtualStart, PhysicalStart, GiB, Flags, Reset(), allowHugePages: false).Value.Pages4KiB;

    /// <summary>Both addresses 1 GiB aligned: one 1 GiB entry.</summary>
    [Benchmark]
    public ulong MapRange_HugePages_1GiBAligned() => _mapper.MapRange(VirtualStart, PhysicalStart, GiB, Flags, Reset(), allowHugePages: true).Value.Pages1GiB;

    /// <summary>Physical start only 2 MiB aligned: 512 entries of 2 MiB.</summary>
    [Benchmark]
    public ulong MapRange_HugePages_2MiBAligned()
        => _mapper.MapRange(VirtualStart, PhysicalStart.TryAdd(2UL << 20).Value, GiB, Flags, Reset(), allowHugePages: true).Value.Pages2MiB;
}
