using StrixOS.Boot.Stage;
using StrixOS.Memory;
using StrixOS.Memory.PhysicalMemory;
using StrixOS.Testing;

namespace StrixOS.KernelTests;

/// <summary>
/// The frame allocator against real memory. Every frame handed out is tagged through the offset map
/// and checked afterwards: a memory map that called a used frame Usable shows up as a crash (the
/// kernel overwrote itself) or a changed tag. Tagging stops at <see cref="MaxTaggedBytes"/>: touching
/// every frame of a large guest makes QEMU back all of it with host memory (8 GiB and 18 s at -m 8G).
/// Exhaustion is tested separately without touching the frames, so it covers all of memory.
/// </summary>
public static unsafe class FrameAllocatorTests
{
    private const ulong MaxTaggedBytes = 1UL << 30;
    private const ulong MaxExhaustedBytes = 2UL << 30;

    public static void Register(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("FrameAllocator");
        suite.Add(nameof(EveryFrameHandedOutIsFreeUsableMemory), &EveryFrameHandedOutIsFreeUsableMemory);
        suite.Add(nameof(ExhaustingPhysicalMemoryFailsCleanlyAndFreeingRestoresService), &ExhaustingPhysicalMemoryFailsCleanlyAndFreeingRestoresService);
        suite.Add(nameof(DoubleFreeAndForeignFramesAreRefused), &DoubleFreeAndForeignFramesAreRefused);
    }

    private static void EveryFrameHandedOutIsFreeUsableMemory(TestContext t)
    {
        BuddyFrameAllocator frames = KernelTestSuites.Kernel.Frames;
        MemoryMap map = KernelTestSuites.Kernel.BootInfo.MemoryMap;
        // Allocated before counting: growing the heap for them takes frames from this same allocator,
        // and while the frames are out the heap may have nothing to grow with.
        ulong cap = frames.FreeFrames < MaxTaggedBytes / 4096 ? frames.FreeFrames : MaxTaggedBytes / 4096;
        var handedOut = new ulong[cap];
        var seen = new ulong[map.HighestAddress / 4096 / 64 + 1];
        KernelTestSuites.MakeHeapRoom();
        ulong before = frames.FreeFrames, heapMapped = KernelTestSuites.Kernel.Heap.BytesMapped;
        ulong count = before < cap ? before : cap;
        for (ulong i = 0; i < count; i++)
        {
            Result<PhysFrame, AllocationError> next = frames.AllocateFrame();
            if (next.IsError)
            {
                t.Fail($"allocation {i} of {count} failed with {frames.FreeFrames} frames free");
                count = i;
                break;
            }
            ulong address = next.Value.StartAddress.Value;
            ulong number = address / 4096;
            // Messages are built only on failure: this loop runs once per frame.
            if ((seen[number / 64] & (1UL << (int)(number % 64))) != 0)
            {
                t.Fail($"frame 0x{address:x} was handed out twice");
                count = i;
                break;
            }
            if (!IsUsable(map, address))
            {
                t.Fail($"frame 0x{address:x} is outside every Usable or reclaimed region");
                count = i;
                break;
            }
            seen[number / 64] |= 1UL << (int)(number % 64);
            ulong* tag = (ulong*)(BootLayout.PhysicalMemoryOffset + address);
            tag[0] = address ^ 0x5A5A_5A5A_5A5A_5A5A;
            tag[511] = ~address;
            handedOut[i] = address;
        }
        for (ulong i = 0; i < count; i++)
        {
            ulong address = handedOut[i];
            ulong* tag = (ulong*)(BootLayout.PhysicalMemoryOffset + address);
            if (tag[0] != (address ^ 0x5A5A_5A5A_5A5A_5A5A) || tag[511] != ~address)
            {
                t.Fail($"the tag of frame 0x{address:x} changed: the frame is shared");
                break;
            }
        }
        for (ulong i = 0; i < count; i++)
        {
            Result<ulong, FrameFreeError> freed = frames.Free(PhysFrame.ContainingAddress(PhysAddr.NewTruncate(handedOut[i])));
            if (freed.IsError)
            {
                t.Fail($"freeing frame 0x{handedOut[i]:x}: {freed.Error.Describe()}");
                return;
            }
        }
        t.Equal(heapMapped, KernelTestSuites.Kernel.Heap.BytesMapped);
        t.Equal(before, frames.FreeFrames);
    }

    private static void ExhaustingPhysicalMemoryFailsCleanlyAndFreeingRestoresService(TestContext t)
    {
        BuddyFrameAllocator frames = KernelTestSuites.Kernel.Frames;
        if (frames.FreeFrames > MaxExhaustedBytes / 4096)
        {
            // The buddy allocator keeps its free lists inside the free frames, so emptying and refilling
            // memory touches every page of it: at -m 8G QEMU backs 8 GiB with host memory (14 s).
            t.Skip($"exhaustion runs on guests with at most {MaxExhaustedBytes >> 30} GiB free (boot with -m 1G)");
            return;
        }
        // Take memory in 2 MiB blocks, then the rest frame by frame. The arrays come first: growing the
        // heap for them takes frames too.
        var blocks = new PhysFrameRange[frames.FreeFrames / 512 + 64];
        var singles = new ulong[8192];
        KernelTestSuites.MakeHeapRoom();
        ulong before = frames.FreeFrames, heapMapped = KernelTestSuites.Kernel.Heap.BytesMapped;
        int blockCount = 0, singleCount = 0;
        while (blockCount < blocks.Length && frames.AllocateContiguous(512, 2UL << 20).TryGetValue(out PhysFrameRange block))
            blocks[blockCount++] = block;
        while (singleCount < singles.Length && frames.AllocateFrame().TryGetValue(out PhysFrame frame))
            singles[singleCount++] = frame.StartAddress.Value;
        t.Equal(0ul, frames.FreeFrames);
        t.True(frames.AllocateFrame().IsError, "an allocation succeeded with no free frame");
        t.True(frames.AllocateContiguous(1, 4096).IsError, "a contiguous allocation succeeded with no free frame");
        for (int i = 0; i < blockCount; i++)
        {
            Result<ulong, FrameFreeError> freed = frames.FreeContiguous(blocks[i]);
            if (freed.IsError)
            {
                t.Fail($"freeing block {i} at 0x{blocks[i].Start.StartAddress.Value:x}: {freed.Error.Describe()}");
                return;
            }
        }
        for (int i = 0; i < singleCount; i++)
        {
            Result<ulong, FrameFreeError> freed = frames.Free(PhysFrame.ContainingAddress(PhysAddr.NewTruncate(singles[i])));
            if (freed.IsError)
            {
                t.Fail($"freeing frame 0x{singles[i]:x}: {freed.Error.Describe()}");
                return;
            }
        }
        t.Equal(heapMapped, KernelTestSuites.Kernel.Heap.BytesMapped);
        t.Equal(before, frames.FreeFrames);
        Result<PhysFrame, AllocationError> again = frames.AllocateFrame();
        if (t.True(again.IsOk, "no allocation after everything was freed"))
            t.True(frames.Free(again.Value).IsOk, "freeing the frame allocated again was refused");
    }

    private static void DoubleFreeAndForeignFramesAreRefused(TestContext t)
    {
        BuddyFrameAllocator frames = KernelTestSuites.Kernel.Frames;
        PhysFrame frame = frames.AllocateFrame().Value;
        t.True(frames.Free(frame).IsOk, "the first free failed");
        t.Equal((int)FrameFreeError.DoubleFree, (int)frames.Free(frame).Error);
        PhysFrame kernelFrame = PhysFrame.ContainingAddress(PhysAddr.NewTruncate(BootLayout.Current->KernelPhysicalStart));
        t.Equal((int)FrameFreeError.NotUsable, (int)frames.Free(kernelFrame).Error);
    }

    private static bool IsUsable(MemoryMap map, ulong address)
    {
        foreach (MemoryRegion r in map.Regions)
        {
            // Boot memory the kernel reclaimed after boot (KernelHost.ReclaimBootMemory) is free memory too.
            if (address >= r.Start && address + 4096 <= r.End)
                return r.Type == MemoryRegionType.Usable || BuddyFrameAllocator.IsReclaimable(r.Type);
        }
        return false;
    }
}
