using BenchmarkDotNet.Attributes;
using StrixOS.Memory;
using StrixOS.Tests.Memory;

namespace StrixOS.Benchmarks;

/// <summary>Nanoseconds per Translate: 4096 addresses spread over 1 GiB mapped with each page size.</summary>
public unsafe class TranslateBenchmarks
{
    private const ulong GiB = 1UL << 30;
    private const int Probes = 4096;

    private SimulatedPhysicalMemory _memory = null!;
    private OffsetPageTable _mapper = null!;
    private VirtAddr[] _addresses4KiB = null!;
    private VirtAddr[] _addresses2MiB = null!;
    private VirtAddr[] _addresses1GiB = null!;

    [GlobalSetup]
    public void Setup()
    {
        _memory = new SimulatedPhysicalMemory(4UL << 20);
        PhysFrame level4 = PhysFrame.TryFromStartAddress(PhysAddr.TryNew(0x1000).Value).Value;
        _mapper = new OffsetPageTable(level4, _memory.Offset, new SimulatedPagingHardware(0x1000));
        BootInfoFrameAllocator tables = new(GuestMemoryMap.Normalized(new[] { new MemoryRegion(0x2000, 4UL << 20, MemoryRegionType.Usable) }));
        PhysAddr data = PhysAddr.TryNew(64 * GiB).Value;
        _addresses4KiB = Map(1 * GiB, data, false, tables);
        _addresses2MiB = Map(2 * GiB, data.TryAdd(2UL << 20).Value, true, tables);
        _addresses1GiB = Map(3 * GiB, data, true, tables);
    }

    private VirtAddr[] Map(ulong start, PhysAddr physical, bool huge, BootInfoFrameAllocator tables)
    {
        _mapper.MapRange(VirtAddr.TryNew(start).Value, physical, GiB, PageTableFlags.Present, tables, huge);
        VirtAddr[] addresses = new VirtAddr[Probes];
        ulong state = 0x9E3779B97F4A7C15;
        for (int i = 0; i < Probes; i++)
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            addresses[i] = VirtAddr.TryNew(start + state % GiB).Value;
        }
        return addresses;
    }

    [GlobalCleanup]
    public void Cleanup() => _memory.Dispose();

    private ulong TranslateAll(VirtAddr[] addresses)
    {
        ulong sum = 0;
        foreach (VirtAddr address in addresses)
            sum += _mapper.Translate(address).Value.Offset;
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Probes)]
    public ulong Translate_4KiB() => TranslateAll(_addresses4KiB);

    [Benchmark(OperationsPerInvoke = Probes)]
    public ulong Translate_2MiB() => TranslateAll(_addresses2MiB);

    [Benchmark(OperationsPerInvoke = Probes)]
    public ulong Translate_1GiB() => TranslateAll(_addresses1GiB);
}
