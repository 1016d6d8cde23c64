using System;
using System.Collections.Generic;
using StrixOS.Memory.Heap;
using Xunit;

namespace StrixOS.Tests.Heap;

/// <summary>The collector's side of the heap: sweeping by a liveness test, interior lookups, decommitting free runs.</summary>
public class HeapSweepTests
{
    private const ulong MiB = 1024 * 1024;

    private struct SetLiveness : IBlockLiveness
    {
        public HashSet<ulong> Live;
        public int Asked;

        public bool IsLive(ulong block)
        {
            Asked++;
            return Live.Contains(block);
        }

        public ulong LiveStarts(ulong address) => HeapRegionTests.LiveStartsOf(Live, address);
    }

    private static List<ulong> Blocks(HeapAllocator heap)
    {
        List<ulong> blocks = new();
        foreach (HeapBlock block in heap.AllocatedBlocks)
            blocks.Add(block.Address);
        return blocks;
    }

    [Fact]
    public void Sweep_FreesExactlyTheDeadBlocks_OfEverySize()
    {
        using HostHeapBacking backing = new(256 * MiB);
        HeapAllocator heap = backing.CreateHeap();
        var random = new Random(13);
        var all = new List<ulong>();
        var live = new HashSet<ulong>();
        for (int i = 0; i < 20000; i++)
        {
            ulong size = i % 50 == 0 ? (ulong)random.Next(2049, 40000) : (ulong)random.Next(1, 2049);
            ulong block = heap.Allocate(size).Value;
            all.Add(block);
            if (random.Next(3) == 0)
                live.Add(block);
        }
        ulong liveBytes = 0;
        foreach (ulong block in live)
            liveBytes += heap.SizeOf(block).Value;
        var liveness = new SetLiveness { Live = live };
        SweepResult result = heap.Sweep(ref liveness);
        Assert.Equal(all.Count, liveness.Asked);
        Assert.Equal((ulong)live.Count, result.LiveBlocks);
        Assert.Equal((ulong)(all.Count - live.Count), result.FreedBlocks);
        Assert.Equal(liveBytes, heap.BytesInUse);
        Assert.Equal(liveBytes, result.LiveBytes);
        Assert.Equal((ulong)live.Count, heap.LiveBlocks);
        List<ulong> remaining = Blocks(heap);
        Assert.Equal(live.Count, remaining.Count);
        Assert.All(remaining, block => Assert.Contains(block, live));
        foreach (ulong block in all)
            Assert.Equal(live.Contains(block), heap.SizeOf(block).IsOk);
        // The freed memory is reused: allocating the same again does not grow the heap much.
        ulong mapped = heap.BytesMapped;
        foreach (ulong block in all)
            if (!live.Contains(block))
                Assert.True(heap.Allocate(64UL).IsOk);
        Assert.True(heap.BytesMapped <= mapped + HeapAllocator.MinimumGrowthBytes, $"{heap.BytesMapped} bytes mapped after reuse, {mapped} before");
        Assert.Empty(backing.Violations);
    }

    [Fact]
    public void Sweep_OfEverything_ReturnsEverySlabAndRunToTheFreeRuns()
    {
        using HostHeapBacking backing = new(64 * MiB);
        HeapAllocator heap = backing.CreateHeap();
        for (int i = 0; i < 5000; i++)
            Assert.True(heap.Allocate((ulong)(i % 3000 + 1)).IsOk);
        var liveness = new SetLiveness { Live = new HashSet<ulong>() };
        SweepResult result = heap.Sweep(ref liveness);
        Assert.Equal(5000UL, result.FreedBlocks);
        Assert.Equal(0UL, heap.BytesInUse);
        Assert.Empty(Blocks(heap));
        Assert.True(result.ReleasedRuns > 0);
        // All pages are one free run again: a block as large as the whole grown data area fits without growing.
        ulong grows = heap.GrowCount;
        Assert.True(heap.Allocate(heap.DataEnd - heap.DataStart).IsOk);
        Assert.Equal(grows, heap.GrowCount);
    }

    [Fact]
    public void BlockContaining_FindsTheBlockOfAnyInteriorAddress_AndNothingForFreeMemory()
    {
        using HostHeapBacking backing = new(64 * MiB);
        HeapAllocator heap = backing.CreateHeap();
        ulong small = heap.Allocate(100).Value;
        ulong large = heap.Allocate(3 * 4096 + 5).Value;
        ulong freed = heap.Allocate(100).Value;
        Assert.True(heap.Free(freed).IsOk);
        Assert.Equal(small, heap.BlockContaining(small));
        Assert.Equal(small, heap.BlockContaining(small + 99));
        Assert.Equal(large, heap.BlockContaining(large + 3 * 4096 + 4));
        Assert.Equal(large, heap.BlockContaining(large + 4096));
        Assert.Equal(0UL, heap.BlockContaining(freed + 8));
        Assert.Equal(0UL, heap.BlockContaining(heap.DataEnd + 16));
        Assert.Equal(0UL, heap.BlockContaining(heap.Start));
    }

    [Fact]
    public void DecommitFreeRuns_GivesPagesBack_AndAllocationCommitsThemAgain()
    {
        using HostHeapBacking backing = new(256 * MiB);
        HeapAllocator heap = backing.CreateHeap();
        var blocks = new List<ulong>();
        for (int i = 0; i < 200; i++)
            blocks.Add(heap.Allocate(64 * 1024).Value);
        foreach (ulong block in blocks)
            Assert.True(heap.Free(block).IsOk);
        ulong mappedBefore = backing.MappedBytes;
        ulong given = heap.DecommitFreeRuns();
        Assert.True(given * 4096 > 190 * 64 * 1024UL, $"{given} pages given back");
        Assert.Equal(mappedBefore - given * 4096, backing.MappedBytes);
        Assert.Equal(0UL, heap.DecommitFreeRuns()); // nothing left to give
        // Everything allocated again is mapped and zeroed, small and large.
        for (int i = 0; i < 300; i++)
        {
            ulong size = i % 2 == 0 ? 48UL : 20000UL;
            ulong block = heap.Allocate(size).Value;
            Assert.True(backing.IsMapped(block, size));
            Assert.True(backing.Bytes(block, size).IndexOfAnyExcept((byte)0) < 0);
        }
        Assert.Empty(backing.Violations);
    }

    [Fact]
    public void Commit_RefusedByTheBacking_IsOutOfMemory_NotACrash()
    {
        using HostHeapBacking backing = new(64 * MiB);
        HeapAllocator heap = backing.CreateHeap();
        ulong big = heap.Allocate(8 * MiB).Value;
        Assert.True(heap.Free(big).IsOk);
        heap.DecommitFreeRuns();
        backing.BudgetBytes = backing.MappedBytes + 4096 * 4;
        Assert.Equal(HeapError.OutOfMemory, heap.Allocate(4 * MiB).Error);
        backing.BudgetBytes = ulong.MaxValue;
        Assert.True(heap.Allocate(4 * MiB).IsOk);
    }
}
