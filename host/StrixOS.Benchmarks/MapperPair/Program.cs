using System;
using System.Diagnostics;
using StrixOS.Benchmarks;
using StrixOS.Memory;
using StrixOS.Tests.Memory;

// ns per mapper call for each workload of MapperWorkloads: the best of 41 rounds of RUNS workloads
// (512 calls each), timed with Stopwatch. Usage: MapperPair [RUNS] (default 300). Many short rounds
// (about 0.5 ms each) rather than a few long ones: on a loaded machine a round is then often not
// interrupted at all, and the best one is the undisturbed cost.
// Built with -p:TwoHardware=true, a second IPagingHardware implementation is in use as well, as in the
// BenchmarkDotNet program (SimulatedPagingHardware there): then ILC no longer knows which FlushPage runs
// and guards it with a type test. The kernel has one implementation, as the default build here.
int runs = args.Length > 0 ? int.Parse(args[0]) : 300;
using var memory = new SimulatedPhysicalMemory(1UL << 20);
PhysFrame level4 = PhysFrame.TryFromStartAddress(PhysAddr.TryNew(0x1000).Value).Value;
#if TWO_HARDWARE
new FlushRecorder().FlushPage(0); // made and called, so ILC counts it as a possible FlushPage
#endif
var mapper = new OffsetPageTable(level4, memory.Offset, new FlushCounter());
var workloads = new MapperWorkloads(mapper, new BumpFrames(0x2000, 1UL << 20));
for (int w = 0; w < MapperWorkloads.Names.Length; w++)
{
    double best = double.MaxValue;
    for (int round = 0; round < 41; round++)
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

/// <summary>The second implementation for TwoHardware builds: records flushed pages, as SimulatedPagingHardware does.</summary>
sealed class FlushRecorder : IPagingHardware
{
    public readonly System.Collections.Generic.List<ulong> Pages = new();
    public ulong ReadCr3() => 0x1000;
    public void WriteCr3(ulong value) { }
    public void FlushPage(ulong virtualAddress) => Pages.Add(virtualAddress);
    public void FlushAll() => Pages.Clear();
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
