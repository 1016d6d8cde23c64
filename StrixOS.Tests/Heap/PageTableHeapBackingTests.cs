using System.Collections.Generic;
using StrixOS.Memory;
using StrixOS.Memory.Heap;
using StrixOS.Tests.Memory;
using Xunit;

namespace StrixOS.Tests.Heap;

/// <summary>The kernel's heap backing over a simulated page table (the heap itself is tested over host memory).</summary>
public class PageTableHeapBackingTests
{
    private const ulong Start = KernelHeapLayout.Start;

    [Fact]
    public void Grow_MapsEachPageToItsOwnFreshFrame_WritableAndNotExecutable()
    {
        using PagingFixture f = new();
        PageTableHeapBacking backing = new(f.Mapper, f.Allocator);
        Assert.True(backing.Grow(Start + 0x10000, 5 * 4096));
        Assert.Equal(5UL, backing.FramesMapped);
        HashSet<ulong> frames = new();
        for (ulong i = 0; i < 5; i++)
        {
            Translation translation = f.Mapper.Translate(PagingFixture.Virt(Start + 0x10000 + i * 4096)).Value;
            Assert.Equal(PageSize.Size4KiB, translation.Frame.Size);
            Assert.Equal(PageTableFlags.Present | PageTableFlags.Writable | PageTableFlags.NoExecute, translation.Flags);
            Assert.True(frames.Add(translation.Frame.StartAddress.Value));
            Assert.Contains(translation.Frame.StartAddress.Value, f.Allocator.Outstanding);
        }
        Assert.True(f.Mapper.Translate(PagingFixture.Virt(Start + 0x10000 + 5 * 4096)).IsError);
        Assert.Empty(f.Allocator.Violations);
    }

    [Fact]
    public void Decommit_ReturnsTheFrames_AndCommitMapsOnlyTheMissingPages()
    {
        using PagingFixture f = new();
        PageTableHeapBacking backing = new(f.Mapper, f.Allocator);
        Assert.True(backing.Grow(Start, 8 * 4096));
        int outstanding = f.Allocator.Outstanding.Count;
        ulong keptFrame = f.Mapper.Translate(PagingFixture.Virt(Start)).Value.Frame.StartAddress.Value;
        Assert.Equal(6UL, backing.Decommit(Start + 4096, 6 * 4096));
        Assert.Equal(outstanding - 6, f.Allocator.Outstanding.Count);
        Assert.Equal(2UL, backing.FramesMapped);
        Assert.True(f.Mapper.Translate(PagingFixture.Virt(Start + 4096)).IsError);
        Assert.Equal(0UL, backing.Decommit(Start + 4096, 6 * 4096)); // already gone
        Assert.True(backing.Commit(Start, 8 * 4096));
        Assert.Equal(8UL, backing.FramesMapped);
        Assert.Equal(outstanding, f.Allocator.Outstanding.Count);
        Assert.Equal(keptFrame, f.Mapper.Translate(PagingFixture.Virt(Start)).Value.Frame.StartAddress.Value);
        Assert.True(f.Mapper.Translate(PagingFixture.Virt(Start + 6 * 4096)).IsOk);
        Assert.Empty(f.Allocator.Violations);
    }

    [Fact]
    public void Grow_UsesTheFlagsItWasGiven()
    {
        using PagingFixture f = new();
        PageTableHeapBacking backing = new(f.Mapper, f.Allocator, PageTableHeapBacking.DefaultFlags | PageTableFlags.Global);
        Assert.True(backing.Grow(Start, 4096));
        Assert.Equal(PageTableHeapBacking.DefaultFlags | PageTableFlags.Global, f.Mapper.Translate(PagingFixture.Virt(Start)).Value.Flags);
    }

    [Fact]
    public void Grow_RefusesBadRangesAndTooFewFrames_ChangingNothing()
    {
        using PagingFixture f = new(poolFrames: 16);
        PageTableHeapBacking backing = new(f.Mapper, f.Allocator);
        byte[] before = f.SnapshotTables();
        Assert.False(backing.Grow(Start + 8, 4096));
        Assert.False(backing.Grow(Start, 100));
        Assert.False(backing.Grow(0x0000_8000_0000_0000, 4096));
        Assert.False(backing.Grow(Start, 17 * 4096)); // more frames than exist
        Assert.Equal(before, f.SnapshotTables());
        Assert.Equal(16, f.Allocator.FreeCount);
    }

    [Fact]
    public void Grow_RunningOutHalfWay_UnmapsWhatItMappedAndReturnsTheFrames()
    {
        using PagingFixture f = new();
        PageTableHeapBacking backing = new(f.Mapper, f.Allocator);
        ulong boundary = Start + 0x20_0000; // a P1 table ends here
        Assert.True(backing.Grow(boundary - 3 * 4096, 4096)); // builds the tables below the boundary
        int tablesBefore = f.ReachableTables().Count;
        f.Allocator.LeaveOnly(4);

        // Two pages fit under the existing P1; the third needs a new P1 (the last frame goes to it), the fourth
        // finds no frame.
        Assert.False(backing.Grow(boundary - 2 * 4096, 4 * 4096));
        for (ulong i = 0; i < 4; i++)
            Assert.True(f.Mapper.Translate(PagingFixture.Virt(boundary - 2 * 4096 + i * 4096)).IsError);
        int tablesCreated = f.ReachableTables().Count - tablesBefore;
        Assert.Equal(1, tablesCreated);
        Assert.Equal(4 - tablesCreated, f.Allocator.FreeCount);
        Assert.Equal(1UL, backing.FramesMapped);
        Assert.Empty(f.Allocator.Violations);
    }
}
