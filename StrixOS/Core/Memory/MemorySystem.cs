using System;
using StrixOS.Memory.Heap;
using StrixOS.Memory.PhysicalMemory;

namespace StrixOS.Memory;

/// <summary>
/// The one owner of memory start-up (docs/memory.md). From the normalised memory map, PHYS_MEM_OFFSET
/// and the paging hardware it builds, in order: the mapper over the active page tables, the boot
/// allocator over the map's Usable frames (it serves the buddy allocator's bitmap), the buddy allocator
/// that takes over from it, the address spaces sharing the kernel half (whose level-3 tables are made on
/// demand, from the buddy allocator), and the kernel heap (mapped on demand through the page tables).
/// Each step's refusal comes back as a <see cref="MemorySystemError"/>; nothing is half set up and kept.
/// </summary>
public sealed class MemorySystem
{
    private MemorySystem(OffsetPageTable pageTable, BuddyFrameAllocator frames, AddressSpaceManager addressSpaces, HeapAllocator heap,
        ulong bootAllocatorFrames)
    {
        BootAllocatorFrames = bootAllocatorFrames;
        PageTable = pageTable;
        Frames = frames;
        AddressSpaces = addressSpaces;
        Heap = heap;
    }

    /// <summary>Frames the boot allocator served before the hand-over (the buddy allocator's bitmap).</summary>
    public ulong BootAllocatorFrames { get; }

    /// <summary>The active page tables, reached through the offset map.</summary>
    public OffsetPageTable PageTable { get; }

    /// <summary>Every Usable frame of the map, owned by the buddy allocator after the hand-over, and the
    /// reclaimable regions, held until the kernel calls <see cref="BuddyFrameAllocator.Reclaim"/>.</summary>
    public BuddyFrameAllocator Frames { get; }

    /// <summary>Per-process page tables sharing the kernel half.</summary>
    public AddressSpaceManager AddressSpaces { get; }

    /// <summary>The kernel heap over [<see cref="KernelHeapLayout.Start"/>, + max bytes), nothing mapped yet.</summary>
    public HeapAllocator Heap { get; }

    /// <summary>
    /// Sets memory up. <paramref name="pcidEnabled"/>: the CPU's CR4.PCIDE is already on, so address
    /// spaces get their own PCIDs. The heap range defaults to <see cref="KernelHeapLayout"/>.
    /// <paramref name="stepDone"/> is called with each step's name as it ends (strix.boottrace times them).
    /// </summary>
    public static Result<MemorySystem, MemorySystemError> Start(
        MemoryMap map, ulong physicalMemoryOffset, IPagingHardware hardware, bool pcidEnabled,
        ulong heapStart = KernelHeapLayout.Start, ulong heapMaxBytes = KernelHeapLayout.DefaultMaxBytes,
        Action<string>? stepDone = null)
    {
        Result<OffsetPageTable, InitError> pageTable = MemoryManager.Init(physicalMemoryOffset, hardware);
        if (pageTable.IsError)
            return MemorySystemError.Of(pageTable.Error);
        stepDone?.Invoke("memory: page table");

        // The boot allocator serves what is needed before the buddy allocator exists: (inside HandOver) the
        // buddy allocator's bitmap. Then it hands over. No kernel-half level-3 table is made here: the kernel's
        // table makes each when a mapping first needs it and the address-space manager copies its entry out.
        // It serves from above the first MiB, which the buddy allocator hands out last (BuddyFrameAllocator.LowMemoryEnd).
        var boot = new BootInfoFrameAllocator(map, preferFrom: BuddyFrameAllocator.LowMemoryEnd);
        stepDone?.Invoke("memory: boot allocator");
        Result<BuddyFrameAllocator, HandOverError> frames = BuddyFrameAllocator.HandOver(boot, physicalMemoryOffset, holdReclaimable: true);
        if (frames.IsError)
            return MemorySystemError.Of(frames.Error);
        stepDone?.Invoke("memory: buddy allocator (bitmap, hand-over)");

        Result<AddressSpaceManager, AddressSpaceError> spaces =
            AddressSpaceManager.Init(pageTable.Value, frames.Value, hardware, pcidEnabled);
        if (spaces.IsError)
            return MemorySystemError.Of(spaces.Error);
        stepDone?.Invoke("memory: address spaces");

        Result<HeapAllocator, HeapError> heap = HeapAllocator.Create(heapStart, heapMaxBytes,
            new PageTableHeapBacking(pageTable.Value, frames.Value));
        if (heap.IsError)
            return MemorySystemError.Of(heap.Error);

        return new MemorySystem(pageTable.Value, frames.Value, spaces.Value, heap.Value, boot.AllocatedFrames);
    }
}
