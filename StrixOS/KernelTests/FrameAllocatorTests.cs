using StrixOS.Boot.Stage;
using StrixOS.Memory;
using StrixOS.Testing;

namespace StrixOS.KernelTests;

/// <summary>
/// The boot frame allocator against real memory: every frame it hands out is tagged through the
/// offset map, then every tag is checked. A memory map that called a used frame Usable shows up
/// as a crash (the kernel overwrote itself) or a tag that changed. It drains the allocator, so it runs last.
/// Above <see cref="MaxBytes"/> it stops there: touching every frame of a large guest makes QEMU back all of
/// it with host memory (8 GiB and 18 s for -m 8G), and the offset-map tests already reach the top of RAM.
/// </summary>
public static unsafe class FrameAllocatorTests
{
    private const ulong MaxBytes = 1UL << 30;

    public static void Register(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("FrameAllocator");
        suite.Add(nameof(EveryFrameHandedOutIsFreeUsableMemory), &EveryFrameHandedOutIsFreeUsableMemory);
    }

    private static void EveryFrameHandedOutIsFreeUsableMemory(TestContext t)
    {
        BootInfoFrameAllocator frames = KernelTestSuites.Kernel.Frames;
        MemoryMap map = KernelTestSuites.Kernel.BootInfo.MemoryMap;
        ulong expected = frames.RemainingFrames < MaxBytes / 4096 ? frames.RemainingFrames : MaxBytes / 4096;
        bool drains = expected == frames.RemainingFrames;
        // Frames come out in address order: remember them as runs [start, end), a handful for any map.
        var runs = new System.Collections.Generic.List<(ulong Start, ulong End)>();
        ulong count = 0, previous = 0;
        while (count < expected || drains)
        {
            Result<PhysFrame, AllocationError> next = frames.AllocateFrame();
            if (next.IsError)
                break;
            ulong address = next.Value.StartAddress.Value;
            // Messages are built only on failure: this loop runs once per frame of RAM.
            if (count >= expected)
            {
                t.Fail("the allocator handed out more frames than it had");
                return;
            }
            if (count != 0 && address <= previous)
            {
                t.Fail($"frame 0x{address:x} is not above the previous one (handed out twice?)");
                return;
            }
            if (!IsUsable(map, address))
            {
                t.Fail($"frame 0x{address:x} is outside every Usable region");
                return;
            }
            ulong* tag = (ulong*)(BootLayout.PhysicalMemoryOffset + address);
            tag[0] = address ^ 0x5A5A_5A5A_5A5A_5A5A;
            tag[511] = ~address;
            if (runs.Count > 0 && runs[^1].End == address)
                runs[^1] = (runs[^1].Start, address + 4096);
            else
                runs.Add((address, address + 4096));
            count++;
            previous = address;
        }
        t.Equal(expected, count);
        if (drains)
            t.Equal(0ul, frames.RemainingFrames);
        foreach ((ulong start, ulong end) in runs)
        {
            for (ulong address = start; address < end; address += 4096)
            {
                ulong* tag = (ulong*)(BootLayout.PhysicalMemoryOffset + address);
                if (tag[0] != (address ^ 0x5A5A_5A5A_5A5A_5A5A) || tag[511] != ~address)
                {
                    t.Fail($"the tag of frame 0x{address:x} changed: the frame is shared");
                    return;
                }
            }
        }
    }

    private static bool IsUsable(MemoryMap map, ulong address)
    {
        foreach (MemoryRegion r in map.Regions)
        {
            if (address >= r.Start && address + 4096 <= r.End)
                return r.Type == MemoryRegionType.Usable;
        }
        return false;
    }
}
