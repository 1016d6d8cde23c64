using System;
using System.Diagnostics;
using StrixOS.Benchmarks;
using StrixOS.Memory;
using StrixOS.Tests.Memory;

// ns per mapper call for each workload of MapperWorkloads: the best of 7 rounds of RUNS workloads
// (512 calls each), timed with Stopwatch. Usage: MapperPair [RUNS] (default 3000).
int runs = args.Length > 0 ? int.Parse(args[0]) : 3000;
using var memory = new SimulatedPhysicalMemory(1UL << 20);
PhysFrame level4 = PhysFrame.TryFromStartAddress(PhysAddr.TryNew(0x1000).Value).Value;
var mapper = new OffsetPageTable(level4, memory.Offset, new FlushCounter());
var workloads = new MapperWorkloads(mapper, new BumpFrames(0x2000, 1UL << 20));
for (int w = 0; w < MapperWorkloads.Names.Length; w++)
{
    double best = double.MaxValue;
    for (int round = 0; round < 7; round++)
    {
        long start = Stopwatch.GetTimestamp();
        for (int r = 0; r < runs; r++)
            workloads.Run(w);
        double ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds / runs / MapperWorkloads.OperationsPerWorkload;
        best = Math.Min(best, ns);
    }
    Console.WriteLine($"{MapperWorkloads.Names[w],-20} {best,6:F2}");
}

/// <summary>Stands in for invlpg as BenchmarkDotNet's job does (MapperOperationBenchmarks): counts flushes.</summary>
sealed class FlushCounter : IPagingHardware
{
    public ulong Flushes;
    public ulong ReadCr3() => 0x1000;
    public void WriteCr3(ulong value) { }
    public void FlushPage(ulong virtualAddress) => Flushes++;
    public void FlushAll() => Flushes++;
}

/// <summary>The tables the workloads build at start: frames handed out in order from [next, end).</summary>
sealed class BumpFrames(ulong next, ulong end) : IFrameAllocator
{
    public Result<PhysFrame, AllocationError> AllocateFrame()
    {
        if (next >= end)
            return AllocationError.OutOfFrames;
        PhysFrame frame = PhysFrame.TryFromStartAddress(PhysAddr.TryNew(next).Value).Value;
        next += PageSizeExtensions.Bytes4KiB;
        return frame;
    }

    public bool CanAllocate(ulong count) => (end - next) / PageSizeExtensions.Bytes4KiB >= count;
}
