using System;
using System.Collections.Generic;
using StrixOS.Memory.Heap;
using Xunit;

namespace StrixOS.Tests.Heap;

public class HeapAllocatorTests
{
    private const ulong MiB = 1024 * 1024;

    private static List<HeapBlock> Blocks(HeapAllocator heap)
    {
        List<HeapBlock> blocks = new();
        foreach (HeapBlock block in heap.AllocatedBlocks)
            blocks.Add(block);
        return blocks;
    }

    [Theory]
    [InlineData(0x1000_0800UL, 16 * MiB)] // start not aligned
    [InlineData(0x1000_0000UL, 16 * MiB + 8)] // size not aligned
    [InlineData(0x1000_0000UL, 64 * 1024UL)] // too small
    [InlineData(0x1000_0000UL, 1UL << 40)] // more than one P4 slot
    [InlineData(0x0000_7FFF_FFF0_0000UL, 16 * MiB)] // runs off the lower half
    [InlineData(0x0000_8000_0000_0000UL, 16 * MiB)] // not canonical
    public void Create_RefusesABadRange(ulong start, ulong size)
    {
        using HostHeapBacking backing = new(16 * MiB);
        Assert.Equal(HeapError.InvalidRange, HeapAllocator.Create(start, size, backing).Error);
    }

    [Fact]
    public void Create_MapsNothing_TheFirstAllocationGrowsAFewPages()
    {
        using HostHeapBacking backing = new(64 * MiB);
        HeapAllocator heap = backing.CreateHeap();
        Assert.Equal(0UL, heap.BytesMapped);
        Assert.Equal(0, backing.Grows);
        Assert.True(heap.Allocate(24).IsOk);
        Assert.Equal(2, backing.Grows); // one descriptor page, then 64 KiB of data
        Assert.Equal(4096 + HeapAllocator.MinimumGrowthBytes, heap.BytesMapped);
        Assert.Equal(heap.BytesMapped, backing.MappedBytes);
        Assert.Empty(backing.Violations);
    }

    [Fact]
    public void EverySize_GetsAZeroedAlignedBlockOfAtLeastThatSize_NoTwoOverlapping()
    {
        using HostHeapBacking backing = new(64 * MiB);
        HeapAllocator heap = backing.CreateHeap();
        List<(ulong Address, ulong Size)> blocks = new();
        ulong total = 0;
        for (ulong size = 0; size <= 9000; size += size < 2100 ? 1UL : 97UL)
        {
            ulong address = heap.Allocate(size).Value;
            ulong blockSize = heap.SizeOf(address).Value;
            Assert.Equal(0UL, address % 16);
            Assert.True(blockSize >= Math.Max(size, 1));
            Assert.True(backing.IsMapped(address, blockSize));
            Assert.True(backing.Bytes(address, blockSize).IndexOfAnyExcept((byte)0) < 0, $"block of {size} bytes not zeroed");
            backing.Bytes(address, blockSize).Fill(0x5A); // dirty it: later zero checks must not be fooled
            blocks.Add((address, blockSize));
            total += blockSize;
        }
        blocks.Sort();
        for (int i = 1; i < blocks.Count; i++)
            Assert.True(blocks[i - 1].Address + blocks[i - 1].Size <= blocks[i].Address, "blocks overlap");
        Assert.Equal(total, heap.BytesInUse);
        Assert.Equal((ulong)blocks.Count, heap.LiveBlocks);
        Assert.Empty(backing.Violations);
    }

    [Fact]
    public void AFreedBlock_IsReusedAndZeroedAgain()
    {
        using HostHeapBacking backing = new(16 * MiB);
        HeapAllocator heap = backing.CreateHeap();
        ulong small = heap.Allocate(40).Value;
        ulong large = heap.Allocate(10_000).Value;
        backing.Bytes(small, 48).Fill(0x77);
        backing.Bytes(large, 10_000).Fill(0x77);
        Assert.Equal(48UL, heap.Free(small).Value);
        Assert.Equal(12288UL, heap.Free(large).Value);
        ulong mapped = heap.BytesMapped;

        Assert.Equal(small, heap.Allocate(33).Value);
        Assert.Equal(large, heap.Allocate(9000).Value);
        Assert.True(backing.Bytes(small, 48).IndexOfAnyExcept((byte)0) < 0);
        Assert.True(backing.Bytes(large, 12288).IndexOfAnyExcept((byte)0) < 0);
        Assert.Equal(mapped, heap.BytesMapped);
    }

    [Fact]
    public void Free_RefusesDoubleFreesForeignAndInteriorPointers_AndChangesNothing()
    {
        using HostHeapBacking backing = new(16 * MiB);
        HeapAllocator heap = backing.CreateHeap();
        ulong small = heap.Allocate(32).Value;
        ulong large = heap.Allocate(3 * 4096).Value;
        ulong gone = heap.Allocate(32).Value;
        _ = heap.Free(gone);
        ulong inUse = heap.BytesInUse;
        List<HeapBlock> before = Blocks(heap);

        Assert.Equal(HeapError.DoubleFree, heap.Free(gone).Error);
        Assert.Equal(HeapError.NotBlockStart, heap.Free(small + 16).Error);
        Assert.Equal(HeapError.NotBlockStart, heap.Free(small + 8).Error);
        Assert.Equal(HeapError.NotBlockStart, heap.Free(large + 8).Error);
        Assert.Equal(HeapError.NotBlockStart, heap.Free(large + 4096).Error);
        Assert.Equal(HeapError.NotInHeap, heap.Free(backing.Start).Error); // the descriptor table
        Assert.Equal(HeapError.NotInHeap, heap.Free(heap.DataEnd).Error); // not mapped yet
        Assert.Equal(HeapError.NotInHeap, heap.Free(0x1000).Error);
        Assert.Equal(HeapError.NotInHeap, heap.Free(ulong.MaxValue).Error);
        // A never-used slot of a live slab, and a page in a free run.
        Assert.Equal(HeapError.DoubleFree, heap.Free(gone + 32).Error);
        Assert.Equal(HeapError.DoubleFree, heap.Free(heap.DataEnd - 4096).Error);

        Assert.Equal(inUse, heap.BytesInUse);
        Assert.Equal(before, Blocks(heap));
        Assert.Equal(32UL, heap.Free(small).Value);
        Assert.Equal(3 * 4096UL, heap.Free(large).Value);
    }

    [Fact]
    public void FreedPageRuns_MergeSoALargerRequestFitsWithoutGrowing()
    {
        using HostHeapBacking backing = new(16 * MiB);
        HeapAllocator heap = backing.CreateHeap();
        ulong a = heap.Allocate(4 * 4096).Value;
        ulong b = heap.Allocate(4 * 4096).Value;
        ulong c = heap.Allocate(4 * 4096).Value;
        _ = heap.Allocate(4096); // keeps the top from merging too
        int grows = backing.Grows;
        _ = heap.Free(a);
        _ = heap.Free(c);
        _ = heap.Free(b); // joins a and c
        Assert.Equal(a, heap.Allocate(12 * 4096).Value);
        Assert.Equal(grows, backing.Grows);
    }

    [Fact]
    public void EmptySlabs_GiveTheirPagesBack()
    {
        using HostHeapBacking backing = new(64 * MiB);
        HeapAllocator heap = backing.CreateHeap();
        List<ulong> blocks = new();
        for (int i = 0; i < 20_000; i++)
            blocks.Add(heap.Allocate(16).Value);
        ulong mapped = heap.BytesMapped;
        foreach (ulong block in blocks)
            _ = heap.Free(block);
        Assert.Equal(0UL, heap.BytesInUse);
        Assert.Equal(0UL, heap.LiveBlocks);
        // About 80 slabs of 16-byte slots went back as pages: a big block now fits in them.
        Assert.True(heap.Allocate(300 * 1024).IsOk);
        Assert.Equal(mapped, heap.BytesMapped);
    }

    [Fact]
    public void OutOfMemory_IsAnErrorValue_AndTheHeapKeepsWorking()
    {
        using HostHeapBacking backing = new(64 * MiB, budgetBytes: 4096 + 128 * 1024);
        HeapAllocator heap = backing.CreateHeap();
        ulong small = heap.Allocate(100).Value;
        ulong inUse = heap.BytesInUse;
        Assert.Equal(HeapError.OutOfMemory, heap.Allocate(1 * MiB).Error);
        Assert.Equal(HeapError.OutOfMemory, heap.Allocate(ulong.MaxValue).Error);
        Assert.Equal(HeapError.OutOfMemory, heap.Allocate(heap.MaxBytes + 1).Error);
        Assert.Equal(inUse, heap.BytesInUse);
        Assert.True(backing.RefusedGrows > 0);
        // Exhaust the budget with small blocks, then free one: service resumes.
        List<ulong> blocks = new();
        while (heap.Allocate(2000).TryGetValue(out ulong block))
            blocks.Add(block);
        Assert.Equal(HeapError.OutOfMemory, heap.Allocate(2000).Error);
        _ = heap.Free(blocks[3]);
        Assert.Equal(blocks[3], heap.Allocate(2000).Value);
        Assert.True(heap.Free(small).IsOk);
        Assert.Empty(backing.Violations);
    }

    [Fact]
    public void TheRangeFilling_IsOutOfMemory()
    {
        using HostHeapBacking backing = new(1 * MiB);
        HeapAllocator heap = backing.CreateHeap();
        Assert.True(heap.Allocate(900 * 1024).IsOk);
        Assert.Equal(HeapError.OutOfMemory, heap.Allocate(200 * 1024).Error);
        Assert.Equal(0, backing.RefusedGrows); // refused by the heap's own limit, not by the backing
    }

    [Fact]
    public void Enumeration_SeesExactlyTheLiveBlocks()
    {
        using HostHeapBacking backing = new(16 * MiB);
        HeapAllocator heap = backing.CreateHeap();
        Assert.Empty(Blocks(heap));
        HashSet<(ulong, ulong)> live = new();
        Random random = new(3);
        List<ulong> addresses = new();
        for (int i = 0; i < 3000; i++)
        {
            ulong size = (ulong)(random.Next(4) == 0 ? random.Next(2049, 20000) : random.Next(1, 2049));
            ulong address = heap.Allocate(size).Value;
            addresses.Add(address);
            live.Add((address, heap.SizeOf(address).Value));
        }
        for (int i = 0; i < addresses.Count; i += 3)
        {
            live.Remove((addresses[i], heap.SizeOf(addresses[i]).Value));
            _ = heap.Free(addresses[i]);
        }
        List<HeapBlock> seen = Blocks(heap);
        Assert.Equal(live.Count, seen.Count);
        ulong previous = 0;
        foreach (HeapBlock block in seen)
        {
            Assert.Contains((block.Address, block.Size), live);
            Assert.True(block.Address > previous, "not in address order");
            previous = block.Address;
        }
    }

    [Fact]
    public void AMillionSmallAllocateFreeCycles_StayWithinABound()
    {
        using HostHeapBacking backing = new(256 * MiB);
        HeapAllocator heap = backing.CreateHeap();
        Random random = new(11);
        ulong[] live = new ulong[1024];
        ulong mappedAfterWarmUp = 0;
        for (int cycle = 0; cycle < 1_000_000; cycle++)
        {
            int slot = random.Next(live.Length);
            if (live[slot] != 0)
                Assert.True(heap.Free(live[slot]).IsOk);
            live[slot] = heap.Allocate((ulong)random.Next(1, 257)).Value;
            if (cycle == 100_000)
                mappedAfterWarmUp = heap.BytesMapped;
        }
        // At most 1024 live blocks of at most 256 bytes: 256 KiB. Mapped memory settles early and stays.
        Assert.True(heap.BytesMapped <= 2 * MiB, $"mapped {heap.BytesMapped} bytes");
        Assert.True(heap.BytesMapped <= mappedAfterWarmUp + 64 * 1024, $"grew from {mappedAfterWarmUp} to {heap.BytesMapped} after warm-up");
        Assert.True(heap.PeakBytesInUse <= 1024 * 256);
        Assert.Empty(backing.Violations);
    }
}
