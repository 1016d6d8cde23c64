using System;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using StrixOS.Memory;
using StrixOS.Memory.Heap;
using StrixOS.Memory.PhysicalMemory;
using StrixOS.Tests.Memory;

namespace StrixOS.Benchmarks;

/// <summary>
/// Allocate + free cost per frame of the buddy allocator over the 512 MiB guest map (<see cref="GuestMemoryMap"/>),
/// after a hand-over from the boot allocator: 1K frames, and every free frame. Each invocation allocates N
/// frames, then frees them in the same order; the mean is per frame (one allocation plus one free).
/// </summary>
public class BuddyFrameAllocatorBenchmarks
{
    private SimulatedPhysicalMemory _memory = null!;
    private BuddyFrameAllocator _allocator = null!;
    private PhysFrame[] _frames = null!;

    [GlobalSetup]
    public void Setup()
    {
        MemoryRegion[] regions = GuestMemoryMap.Create();
        ulong highest = 0;
        foreach (MemoryRegion region in regions)
            highest = Math.Max(highest, region.End);
        // Above 4 GiB: the buffer is reserved, not zeroed, so only the frames the allocator touches get memory.
        _memory = new SimulatedPhysicalMemory((highest + 0xFFF) & ~0xFFFUL, zero: false);
        BootInfoFrameAllocator boot = new(GuestMemoryMap.Normalized(regions));
        for (int i = 0; i < 64; i++)
            boot.AllocateFrame(); // what the kernel took during boot
        _allocator = BuddyFrameAllocator.HandOver(boot, _memory.Offset).Value;
        _frames = new PhysFrame[_allocator.FreeFrames];
    }

    [GlobalCleanup]
    public void Cleanup() => _memory.Dispose();

    private int Cycle(int count)
    {
        for (int i = 0; i < count; i++)
            _frames[i] = _allocator.AllocateFrame().Value;
        for (int i = 0; i < count; i++)
            _allocator.Free(_frames[i]);
        return count;
    }

    [Benchmark(OperationsPerInvoke = 1024)]
    public int AllocateFree_1K() => Cycle(1024);

    /// <summary>131004 frames: the guest's 131072 minus 64 boot frames and the 4-frame bitmap.</summary>
    [Benchmark(OperationsPerInvoke = GuestMemoryMap.UsableFrames - 64 - 4)]
    public int AllocateFree_AllFrames() => Cycle(GuestMemoryMap.UsableFrames - 64 - 4);

    [Benchmark]
    public ulong AllocateFree_2MiBFrame()
    {
        PhysFrame frame = _allocator.AllocateFrame(PageSize.Size2MiB).Value;
        return _allocator.Free(frame).Value;
    }
}

/// <summary>AddressSpace create + dispose over a 64 MiB simulated machine: empty, and with 16 user pages mapped.</summary>
public class AddressSpaceBenchmarks
{
    private SimulatedPhysicalMemory _memory = null!;
    private AddressSpaceManager _manager = null!;
    private readonly Page[] _pages = new Page[16];

    [GlobalSetup]
    public void Setup()
    {
        const ulong Size = 64 * 1024 * 1024;
        _memory = new SimulatedPhysicalMemory(Size);
        MemoryRegion[] regions = { new(0x1000, Size, MemoryRegionType.Usable) };
        BootInfoFrameAllocator boot = new(GuestMemoryMap.Normalized(regions));
        PhysFrame level4 = boot.AllocateFrame().Value;
        SimulatedPagingHardware hardware = new(level4.StartAddress.Value);
        OffsetPageTable kernel = new(level4, _memory.Offset, hardware);
        BuddyFrameAllocator frames = BuddyFrameAllocator.HandOver(boot, _memory.Offset).Value;
        _manager = AddressSpaceManager.Init(kernel, frames, hardware, pcidEnabled: true).Value;
        for (int i = 0; i < _pages.Length; i++)
            _pages[i] = Page.TryFromStartAddress(VirtAddr.TryNew(0x40_0000 + (ulong)i * 4096).Value).Value;
    }

    [GlobalCleanup]
    public void Cleanup() => _memory.Dispose();

    [Benchmark]
    public ulong CreateDispose_Empty() => _manager.Create().Value.Dispose().Value;

    [Benchmark]
    public ulong CreateMap16Dispose()
    {
        AddressSpace space = _manager.Create().Value;
        foreach (Page page in _pages)
            space.Map(page, PageTableFlags.Writable);
        return space.Dispose().Value;
    }
}

/// <summary>
/// Heap allocate + free per object, over host memory standing in for the heap range: one block allocated and
/// freed at once (the slot is reused: the best case), and 1000 blocks allocated then freed (each cycle walks a
/// slab's free list and bump area). The heap zeroes every block, so larger objects cost more.
/// </summary>
public unsafe class HeapBenchmarks
{
    private const int Batch = 1000;

    private sealed class HostBacking : IHeapBacking
    {
        public bool Grow(ulong virtualStart, ulong bytes) => true; // the whole range is host memory already
        public bool Commit(ulong virtualStart, ulong bytes) => true;
        public ulong Decommit(ulong virtualStart, ulong bytes) => 0;
    }

    private void* _range;
    private HeapAllocator _heap = null!;
    private readonly ulong[] _blocks = new ulong[Batch];

    [Params(16, 64, 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        const ulong Bytes = 256 * 1024 * 1024;
        _range = NativeMemory.AlignedAlloc((nuint)Bytes, 4096);
        _heap = HeapAllocator.Create((ulong)_range, Bytes, new HostBacking()).Value;
        _heap.Free(_heap.Allocate((ulong)Size).Value); // first slab and growth outside the measurement
    }

    [GlobalCleanup]
    public void Cleanup() => NativeMemory.AlignedFree(_range);

    [Benchmark]
    public ulong AllocateFree_One() => _heap.Free(_heap.Allocate((ulong)Size).Value).Value;

    [Benchmark(OperationsPerInvoke = Batch)]
    public ulong AllocateFree_Batch1000()
    {
        ulong size = (ulong)Size;
        for (int i = 0; i < Batch; i++)
            _blocks[i] = _heap.Allocate(size).Value;
        ulong freed = 0;
        for (int i = 0; i < Batch; i++)
            freed += _heap.Free(_blocks[i]).Value;
        return freed;
    }
}
