using System;
using System.Collections.Generic;
using StrixOS.Memory.Heap;
using Xunit;

namespace StrixOS.Tests.Heap;

/// <summary>
/// Regions: chunks a bump allocator cuts into cells (the collector's allocation contexts), swept by a liveness
/// test, with free cells merged and reused; and decommitting that looks only at pages freed since the last time.
/// </summary>
public class HeapRegionTests
{
    private const ulong MiB = 1024 * 1024;

    private struct SetLiveness : IBlockLiveness
    {
        public HashSet<ulong> Live;

        public bool IsLive(ulong block) => Live.Contains(block);

        public ulong LiveStarts(ulong address) => LiveStartsOf(Live, address);
    }

    /// <summary>A mark bitmap's word, from a set of live blocks.</summary>
    internal static ulong LiveStartsOf(HashSet<ulong> live, ulong address)
    {
        ulong bits = 0;
        for (int i = 0; i < 64; i++)
        {
            if (live.Contains(address + (ulong)i * 16))
                bits |= 1UL << i;
        }
        return bits;
    }

    /// <summary>Cuts cells of random sizes from chunks as the allocation fast path does; returns each cell and its size.</summary>
    private static unsafe List<(ulong Cell, ulong Bytes)> CutCells(HeapAllocator heap, Random random, int count)
    {
        var cells = new List<(ulong, ulong)>();
        ulong pointer = 0, limit = 0;
        for (int i = 0; i < count; i++)
        {
            ulong bytes = (ulong)random.Next(1, i % 97 == 0 ? 1024 : 128) * 16;
            if (limit - pointer < bytes)
            {
                heap.ReturnChunkTail(pointer, limit);
                HeapChunk chunk = heap.TakeChunk(bytes).Value;
                Assert.True(new Span<byte>((void*)chunk.Start, (int)(chunk.End - chunk.Start)).IndexOfAnyExcept((byte)0) < 0, "chunk not zeroed");
                pointer = chunk.Start;
                limit = chunk.End;
            }
            *(uint*)pointer = HeapAllocator.CellWord(bytes);
            cells.Add((pointer, bytes));
            pointer += bytes;
        }
        heap.ReturnChunkTail(pointer, limit);
        return cells;
    }

    [Fact]
    public void Sweep_FreesTheDeadCells_KeepsTheLiveOnes_AndReusesTheGaps()
    {
        using HostHeapBacking backing = new(256 * MiB);
        HeapAllocator heap = backing.CreateHeap();
        var random = new Random(21);
        List<(ulong Cell, ulong Bytes)> cells = CutCells(heap, random, 30000);
        var live = new HashSet<ulong>();
        ulong liveBytes = 0;
        foreach ((ulong cell, ulong bytes) in cells)
        {
            if (random.Next(4) == 0)
            {
                live.Add(cell);
                liveBytes += bytes;
            }
        }
        var liveness = new SetLiveness { Live = live };
        SweepResult result = heap.Sweep(ref liveness);
        Assert.Equal((ulong)live.Count, result.LiveBlocks);
        ulong allBytes = 0;
        foreach ((ulong _, ulong bytes) in cells)
            allBytes += bytes;
        Assert.Equal(allBytes - liveBytes, result.FreedBytes);
        Assert.Equal(liveBytes, result.LiveBytes);
        Assert.Equal(liveBytes, heap.BytesInUse);
        Assert.Equal((ulong)live.Count, heap.LiveBlocks);
        var enumerated = new List<ulong>();
        foreach (HeapBlock block in heap.AllocatedBlocks)
        {
            enumerated.Add(block.Address);
            Assert.Contains(block.Address, live);
        }
        Assert.Equal(live.Count, enumerated.Count);
        foreach ((ulong cell, ulong bytes) in cells)
        {
            bool isLive = live.Contains(cell);
            Assert.Equal(isLive, heap.SizeOf(cell).IsOk);
            if (isLive)
                Assert.Equal(bytes, heap.SizeOf(cell).Value);
            Assert.Equal(isLive ? cell : 0, heap.BlockContaining(cell + bytes - 1));
        }
        // Chunks now come from the merged free cells: the heap does not grow.
        ulong grows = heap.GrowCount;
        ulong mapped = heap.BytesMapped;
        HeapChunk reused = heap.TakeChunk(256).Value;
        Assert.True(reused.End - reused.Start >= HeapAllocator.MinimumGapBytes);
        Assert.Equal(0UL, heap.BlockContaining(reused.Start));
        Assert.Equal(grows, heap.GrowCount);
        Assert.Equal(mapped, heap.BytesMapped);
        heap.ReturnChunkTail(reused.Start, reused.End);
        Assert.Empty(backing.Violations);
    }

    [Fact]
    public void ARegionWhoseCellsAllDie_ReturnsItsPages()
    {
        using HostHeapBacking backing = new(64 * MiB);
        HeapAllocator heap = backing.CreateHeap();
        List<(ulong Cell, ulong Bytes)> cells = CutCells(heap, new Random(3), 20000);
        ulong kept = cells[cells.Count / 2].Cell;
        var liveness = new SetLiveness { Live = new HashSet<ulong> { kept } };
        SweepResult result = heap.Sweep(ref liveness);
        Assert.True(result.ReleasedRuns > 0);
        Assert.Equal(1UL, heap.LiveBlocks);
        ulong given = heap.DecommitFreeRuns();
        Assert.True(given * 4096 >= heap.BytesMapped / 2, $"{given} pages given back of {heap.BytesMapped / 4096}");
        Assert.Equal(kept, heap.BlockContaining(kept + 8));
        Assert.Empty(backing.Violations);
    }

    [Fact]
    public void DecommitFreeRuns_LooksOnlyAtPagesFreedSinceTheLastCall()
    {
        using HostHeapBacking backing = new(256 * MiB);
        HeapAllocator heap = backing.CreateHeap();
        var blocks = new List<ulong>();
        for (int i = 0; i < 400; i++)
            blocks.Add(heap.Allocate(64 * 1024).Value);
        for (int i = 0; i < 399; i++)
            Assert.True(heap.Free(blocks[i]).IsOk);
        ulong given = heap.DecommitFreeRuns();
        Assert.True(given > 390 * 16, $"{given} pages given back");
        ulong asked = backing.DecommitPagesAsked;
        // Nothing freed since: nothing to look at.
        Assert.Equal(0UL, heap.DecommitFreeRuns());
        Assert.Equal(asked, backing.DecommitPagesAsked);
        // One more block freed: only its pages (and the run head it merged with) are looked at.
        Assert.True(heap.Free(blocks[399]).IsOk);
        Assert.InRange(heap.DecommitFreeRuns(), 16UL, 17UL);
        Assert.True(backing.DecommitPagesAsked - asked <= 17, $"{backing.DecommitPagesAsked - asked} pages looked at for one 16-page block");
        Assert.Empty(backing.Violations);
    }

    [Fact]
    public void DecommitFreeRuns_KeepsTheReserveMapped_AndGivesItBackWhenAskedForNoReserve()
    {
        using HostHeapBacking backing = new(256 * MiB);
        HeapAllocator heap = backing.CreateHeap();
        var blocks = new List<ulong>();
        for (int i = 0; i < 100; i++)
            blocks.Add(heap.Allocate(64 * 1024).Value);
        foreach (ulong block in blocks)
            Assert.True(heap.Free(block).IsOk);
        ulong mapped = backing.MappedBytes;
        ulong given = heap.DecommitFreeRuns(retainPages: 10 * 16);
        Assert.True(given < 100 * 16 && given >= 100 * 16 - 10 * 16 - 2, $"{given} pages given back with a reserve of 160");
        Assert.Equal(mapped - given * 4096, backing.MappedBytes);
        ulong rest = heap.DecommitFreeRuns();
        Assert.True(rest > 0 && given + rest >= 100 * 16 - 2, $"{rest} more pages given back without a reserve");
        Assert.Empty(backing.Violations);
    }
}
