using System;
using StrixOS.Memory;
using StrixOS.Memory.PhysicalMemory;
using StrixOS.Tests.Memory;

namespace StrixOS.Tests.AddressSpaces;

/// <summary>
/// A small machine: simulated physical memory, a kernel level-4 table with a few kernel-half mappings made
/// during "boot" (offset map slot 256, kernel image slot 511), the buddy allocator that took over from the
/// boot allocator, and an <see cref="AddressSpaceManager"/> over it all.
/// </summary>
public sealed unsafe class AddressSpaceFixture : IDisposable
{
    public const ulong Frame = 4096;
    public const ulong OffsetMapBase = 0xFFFF_8000_0000_0000;
    public const ulong KernelImageBase = 0xFFFF_FFFF_8000_0000;
    /// <summary>A kernel-half slot nothing maps at boot (P4 index 300): kernel mappings made after Create go here.</summary>
    public const ulong LateKernelBase = 0xFFFF_9600_0000_0000;

    public AddressSpaceFixture(bool pcid = true, ulong memoryBytes = 16 * 1024 * 1024)
    {
        Memory = new SimulatedPhysicalMemory(memoryBytes, zero: true);
        MemoryRegion[] regions = { new(Frame, memoryBytes, MemoryRegionType.Usable) };
        BootInfoFrameAllocator boot = new(MemoryMapNormalizer.Normalize(regions, System.ReadOnlySpan<MemoryRegion>.Empty).Value);
        Level4Frame = boot.AllocateFrame().Value;
        Hardware = new SimulatedPagingHardware(Level4Frame.StartAddress.Value);
        KernelTable = new OffsetPageTable(Level4Frame, Memory.Offset, Hardware);
        // Boot-time kernel mappings: the first 16 frames in the offset map, two pages of kernel image.
        for (ulong i = 0; i < 16; i++)
            Map(KernelTable, OffsetMapBase + i * Frame, i * Frame, boot);
        Map(KernelTable, KernelImageBase, 0x5000, boot);
        Map(KernelTable, KernelImageBase + Frame, 0x6000, boot);
        Frames = BuddyFrameAllocator.HandOver(boot, Memory.Offset).Value;
        Manager = AddressSpaceManager.Init(KernelTable, Frames, Hardware, pcid).Value;
    }

    public SimulatedPhysicalMemory Memory { get; }
    public SimulatedPagingHardware Hardware { get; }
    public PhysFrame Level4Frame { get; }
    public OffsetPageTable KernelTable { get; }
    public BuddyFrameAllocator Frames { get; }
    public AddressSpaceManager Manager { get; }

    public AddressSpace Create() => Manager.Create().Value;

    /// <summary>A mapper over <paramref name="space"/>'s tables, to look at the kernel half the way the MMU would.</summary>
    public OffsetPageTable MapperOf(AddressSpace space) => new(space.Level4Frame, Memory.Offset, Hardware);

    public ref PageTable Table(PhysAddr address) => ref Memory.TableAt(address);

    public ref PageTable Level4Of(AddressSpace space) => ref Memory.TableAt(space.Level4Frame.StartAddress);

    public ref PageTable KernelLevel4 => ref Memory.TableAt(Level4Frame.StartAddress);

    public static void Map(OffsetPageTable table, ulong virt, ulong phys, IFrameAllocator allocator, PageTableFlags flags = PageTableFlags.Writable)
    {
        Result<Page, MapError> mapped = table.MapTo(PageAt(virt), FrameAt(phys), flags | PageTableFlags.Present, allocator);
        if (mapped.IsError)
            throw new InvalidOperationException($"fixture mapping 0x{virt:X} failed: {mapped.Error}");
    }

    public static VirtAddr Virt(ulong value) => VirtAddr.TryNew(value).Value;
    public static Page PageAt(ulong address, PageSize size = PageSize.Size4KiB) => Page.TryFromStartAddress(Virt(address), size).Value;
    public static PhysFrame FrameAt(ulong address, PageSize size = PageSize.Size4KiB)
        => PhysFrame.TryFromStartAddress(PhysAddr.TryNew(address).Value, size).Value;

    public void Dispose() => Memory.Dispose();
}
