using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using StrixOS.Memory;

namespace StrixOS.Benchmarks;

/// <summary>
/// Cost per frame of draining the first N frames of a 512 MiB guest map: the O(1) bump cursor of
/// BootInfoFrameAllocator against a C# transcription of the seed's nth-frame walk that steps frame by
/// frame (O(n) per call; not the Rust seed, see NthFrameAllocator). Each invocation builds a fresh allocator
/// (construction is measured separately) and allocates N frames; the mean is per frame.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class FrameAllocatorBenchmarks
{
    private MemoryRegion[] _regions = null!;

    private MemoryMap _map = null!;

    [GlobalSetup]
    public void Setup()
    {
        _regions = GuestMemoryMap.Create();
        _map = GuestMemoryMap.Normalized(_regions);
    }

    private static ulong Drain(IFrameAllocator allocator, int count)
    {
        ulong sum = 0;
        for (int i = 0; i < count; i++)
            sum += allocator.AllocateFrame().Value.StartAddress.Value;
        return sum;
    }

    private ulong DrainBootInfo(int count)
    {
        // Direct calls on the sealed class: no interface dispatch on the hot path.
        BootInfoFrameAllocator allocator = new(_map);
        ulong sum = 0;
        for (int i = 0; i < count; i++)
            sum += allocator.AllocateFrame().Value.StartAddress.Value;
        return sum;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 1024), BenchmarkCategory("1K frames")]
    public ulong Nth_1K() => Drain(new NthFrameAllocator(_regions), 1024);

    [Benchmark(OperationsPerInvoke = 1024), BenchmarkCategory("1K frames")]
    public ulong BootInfo_1K() => DrainBootInfo(1024);

    [Benchmark(Baseline = true, OperationsPerInvoke = 16384), BenchmarkCategory("16K frames")]
    public ulong Nth_16K() => Drain(new NthFrameAllocator(_regions), 16384);

    [Benchmark(OperationsPerInvoke = 16384), BenchmarkCategory("16K frames")]
    public ulong BootInfo_16K() => DrainBootInfo(16384);

    [Benchmark(OperationsPerInvoke = GuestMemoryMap.UsableFrames), BenchmarkCategory("all 131072 frames")]
    public ulong BootInfo_All() => DrainBootInfo(GuestMemoryMap.UsableFrames);

    [Benchmark(OperationsPerInvoke = GuestMemoryMap.UsableFrames), BenchmarkCategory("all 131072 frames")]
    public ulong BootInfo_All_ThroughInterface() => Drain(new BootInfoFrameAllocator(_map), GuestMemoryMap.UsableFrames);

    [Benchmark, BenchmarkCategory("construction")]
    public ulong BootInfo_Construct() => new BootInfoFrameAllocator(_map).TotalFrames;
}
