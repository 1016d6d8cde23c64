using BenchmarkDotNet.Attributes;
using StrixOS.Memory;
using StrixOS.Tests.Memory;

namespace StrixOS.Benchmarks;

/// <summary>
/// Nanoseconds per mapper call (MapTo, Unmap, Translate, TranslateAddr, UpdateFlags) on the workloads the
/// kernel runs too (StrixOS/Benchmarks/MapperWorkloads.cs). Run it under the JIT and under NativeAOT with the
/// kernel's ILC settings: <c>--filter '*MapperOperation*' --aot</c> (Program.cs).
/// </summary>
public class MapperOperationBenchmarks
{
    private SimulatedPhysicalMemory _memory = null!;
    private MapperWorkloads _workloads = null!;

    [GlobalSetup]
    public void Setup()
    {
        _memory = new SimulatedPhysicalMemory(1UL << 20);
        PhysFrame level4 = PhysFrame.TryFromStartAddress(PhysAddr.TryNew(0x1000).Value).Value;
        var mapper = new OffsetPageTable(level4, _memory.Offset, new CountingPagingHardware());
        var tables = new BootInfoFrameAllocator(GuestMemoryMap.Normalized(new[] { new MemoryRegion(0x2000, 1UL << 20, MemoryRegionType.Usable) }));
        _workloads = new MapperWorkloads(mapper, tables);
    }

    [GlobalCleanup]
    public void Cleanup() => _memory.Dispose();

    [Benchmark(OperationsPerInvoke = MapperWorkloads.OperationsPerWorkload)] public ulong MapTo_4KiB() => _workloads.Run(0);
    [Benchmark(OperationsPerInvoke = MapperWorkloads.OperationsPerWorkload)] public ulong MapTo_2MiB() => _workloads.Run(1);
    [Benchmark(OperationsPerInvoke = MapperWorkloads.OperationsPerWorkload)] public ulong MapTo_1GiB() => _workloads.Run(2);
    [Benchmark(OperationsPerInvoke = MapperWorkloads.OperationsPerWorkload)] public ulong Unmap_4KiB() => _workloads.Run(3);
    [Benchmark(OperationsPerInvoke = MapperWorkloads.OperationsPerWorkload)] public ulong Unmap_2MiB() => _workloads.Run(4);
    [Benchmark(OperationsPerInvoke = MapperWorkloads.OperationsPerWorkload)] public ulong Unmap_1GiB() => _workloads.Run(5);
    [Benchmark(OperationsPerInvoke = MapperWorkloads.OperationsPerWorkload)] public ulong Translate_4KiB() => _workloads.Run(6);
    [Benchmark(OperationsPerInvoke = MapperWorkloads.OperationsPerWorkload)] public ulong Translate_2MiB() => _workloads.Run(7);
    [Benchmark(OperationsPerInvoke = MapperWorkloads.OperationsPerWorkload)] public ulong Translate_1GiB() => _workloads.Run(8);
    [Benchmark(OperationsPerInvoke = MapperWorkloads.OperationsPerWorkload)] public ulong TranslateAddr_4KiB() => _workloads.Run(9);
    [Benchmark(OperationsPerInvoke = MapperWorkloads.OperationsPerWorkload)] public ulong UpdateFlags_4KiB() => _workloads.Run(10);

    /// <summary>Stands in for CR3 and invlpg: counts flushes (the simulation's list would grow without end).</summary>
    private sealed class CountingPagingHardware : IPagingHardware
    {
        public ulong Flushes;
        public ulong ReadCr3() => 0x1000;
        public void WriteCr3(ulong value) { }
        public void FlushPage(ulong virtualAddress) => Flushes++;
        public void FlushAll() => Flushes++;
    }
}
