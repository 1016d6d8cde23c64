using System;
using StrixOS.Memory;
using StrixOS.Memory.Heap;
using Xunit;

namespace StrixOS.Tests.Memory;

/// <summary>MemorySystem.Start on a simulated machine: 8 MiB, the boot stage's level-4 table in frame 1.</summary>
public sealed class MemorySystemTests : IDisposable
{
    private const ulong MemoryBytes = 8 * 1024 * 1024;
    private const ulong Level4Address = 0x1000;

    private readonly SimulatedPhysicalMemory _memory = new(MemoryBytes, zero: true);
    private readonly SimulatedPagingHardware _hardware = new(Level4Address);
    private readonly MemoryMap _map;

    public MemorySystemTests()
    {
        // Frames 0 and 1 (the level-4 table) are taken; the rest is Usable.
        MemoryRegion[] firmware = { new(0, MemoryBytes, MemoryRegionType.Usable) };
        MemoryRegion[] reserved = { new(0, 2 * 4096, MemoryRegionType.Kernel) };
        Result<MemoryMap, MemoryMapError> normalized = MemoryMapNormalizer.Normalize(firmware, reserved);
        Assert.True(normalized.IsOk, normalized.ToString());
        _map = normalized.Value;
    }

    public void Dispose() => _memory.Dispose();

    [Fact]
    public void StartBuildsPageTableFramesAddressSpacesAndAnEmptyHeap()
    {
        MemorySystem memory = MemorySystem.Start(_map, _memory.Offset, _hardware, pcidEnabled: true).Value;

        Assert.Equal(Level4Address, memory.PageTable.Level4Frame.StartAddress.Value);
        Assert.Equal(_memory.Offset, memory.PageTable.PhysicalMemoryOffset);
        Assert.Equal(MemoryBytes / 4096 - 2, memory.Frames.TotalFrames);
        Assert.Equal(KernelHeapLayout.Start, memory.Heap.Start);
        Assert.Equal(0UL, memory.Heap.BytesMapped);
        // The address spaces share the kernel half the start-up gave them: a new one is made from the same frames.
        ulong free = memory.Frames.FreeFrames;
        Assert.True(memory.AddressSpaces.Create().IsOk);
        Assert.True(memory.Frames.FreeFrames < free);
    }

    [Fact]
    public void TheBootAllocatorServesOnlyTheBitmapThenHandsOver()
    {
        MemorySystem memory = MemorySystem.Start(_map, _memory.Offset, _hardware, pcidEnabled: false).Value;

        // Until issue 17.4 the boot allocator also served 256 kernel-half level-3 tables (257 frames here); now
        // those are made on demand, so it serves one frame, the bitmap, the first one above the taken frames.
        Assert.Equal(1UL, memory.BootAllocatorFrames);
        Assert.Equal(0UL, memory.Frames.HandedOverFrames); // allocated before the hand-over, bitmap aside
        Assert.Equal(1UL, memory.Frames.MetadataFrames);
        Assert.Equal(2 * 4096UL, memory.Frames.MetadataStart.Value);
        Assert.False(memory.Frames.IsFree(PhysFrame.ContainingAddress(memory.Frames.MetadataStart)));
        Assert.Equal(memory.Frames.TotalFrames - 1, memory.Frames.FreeFrames);
        // The level-4 table is as the boot stage left it (empty here): no kernel-half table was made.
        for (ulong i = 0; i < 512; i++)
            Assert.True(_memory.TableAt(PhysAddr.NewTruncate(Level4Address))[PageTableIndex.NewTruncate((ushort)i)].IsUnused);
    }

    [Fact]
    public void TheHeapsFirstGrowth_MakesItsKernelHalfTableAndAddressSpacesSeeIt()
    {
        MemorySystem memory = MemorySystem.Start(_map, _memory.Offset, _hardware, pcidEnabled: false).Value;
        AddressSpace space = memory.AddressSpaces.Create().Value;
        // The backing the heap grows through (the heap itself would write its blocks, which the host cannot).
        Assert.True(memory.Heap.Backing.Grow(KernelHeapLayout.Start, 4096));
        VirtAddr heapStart = VirtAddr.NewTruncate(KernelHeapLayout.Start);
        var mapper = new OffsetPageTable(space.Level4Frame, _memory.Offset, _hardware);
        Assert.Equal(memory.PageTable.TranslateAddr(heapStart).Value, mapper.TranslateAddr(heapStart).Value);
    }

    [Fact]
    public void AnUnalignedOffsetIsAPageTableErrorAndSaysSo()
    {
        Result<MemorySystem, MemorySystemError> started = MemorySystem.Start(_map, _memory.Offset + 8, _hardware, pcidEnabled: false);
        Assert.True(started.IsError);
        Assert.Equal(MemoryStartStep.PageTable, started.Error.Step);
        Assert.Equal(InitError.InvalidOffset, started.Error.PageTable);
        Assert.Contains("PHYS_MEM_OFFSET", started.Error.Describe());
    }

    [Fact]
    public void AHeapRangeAcrossTheHalvesIsAHeapErrorAndTheStepIsNamed()
    {
        Result<MemorySystem, MemorySystemError> started = MemorySystem.Start(_map, _memory.Offset, _hardware, pcidEnabled: false,
            heapStart: 0x0000_7FFF_FFF0_0000, heapMaxBytes: 1UL << 30);
        Assert.True(started.IsError);
        Assert.Equal(MemoryStartStep.Heap, started.Error.Step);
        Assert.Equal(HeapError.InvalidRange, started.Error.Heap);
        Assert.StartsWith("kernel heap: ", started.Error.Describe());
    }

    [Fact]
    public void EveryStepDescribesItselfDifferently()
    {
        string[] sentences =
        {
            MemorySystemError.Of(InitError.InvalidOffset).Describe(),
            MemorySystemError.Of(StrixOS.Memory.PhysicalMemory.HandOverError.NoRoomForMetadata).Describe(),
            MemorySystemError.Of(AddressSpaceError.KernelEntryUserAccessible).Describe(),
            MemorySystemError.Of(HeapError.InvalidRange).Describe(),
        };
        Assert.Equal(sentences.Length, new System.Collections.Generic.HashSet<string>(sentences).Count);
        Assert.All(sentences, s => Assert.DoesNotContain("unknown", s));
    }
}
