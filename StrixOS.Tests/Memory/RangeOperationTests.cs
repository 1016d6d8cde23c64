using System.Collections.Generic;
using StrixOS.Memory;
using Xunit;
using static StrixOS.Tests.Memory.PagingFixture;

namespace StrixOS.Tests.Memory;

/// <summary>MapRange, UnmapRange and CleanUp.</summary>
public class RangeOperationTests
{
    private const PageTableFlags ReadWrite = PageTableFlags.Present | PageTableFlags.Writable;
    private const ulong KiB4 = 4096;
    private const ulong MiB2 = 2UL << 20;
    private const ulong GiB1 = 1UL << 30;
    /// <summary>16 GiB: aligned for every page size.</summary>
    private const ulong Base = 16 * GiB1;

    private static PageSize SizeAt(PagingFixture f, ulong address) => f.Mapper.Translate(Virt(address)).Value.Frame.Size;

    [Fact]
    public void AGigabyteOf4KiBPagesUses512PageTables()
    {
        using PagingFixture f = new(poolFrames: 600);
        RangeSummary summary = f.Mapper.MapRange(Virt(Base), Phys(DataBase), GiB1, ReadWrite, f.Allocator, allowHugePages: false).Value;
        Assert.Equal(262144UL, summary.Pages4KiB);
        Assert.Equal(0UL, summary.Pages2MiB + summary.Pages1GiB);
        Assert.Equal(514UL, summary.TablesCreated); // 512 P1 + one P2 + one P3
        Assert.Equal(GiB1, summary.Bytes);
        Assert.Equal(514, f.Allocator.Outstanding.Count);
        foreach (ulong offset in new[] { 0UL, KiB4, 123 * MiB2 + 5 * KiB4 + 17, GiB1 - 1 })
        {
            Translation translation = f.Mapper.Translate(Virt(Base + offset)).Value;
            Assert.Equal(PageSize.Size4KiB, translation.Frame.Size);
            Assert.Equal(DataBase + offset, translation.Address.Value);
            Assert.Equal(ReadWrite, translation.Flags);
        }
        Assert.Equal(TranslateError.NotMapped, f.Mapper.Translate(Virt(Base + GiB1)).Error);
        Assert.Empty(f.Hardware.FlushedPages);
        Assert.Equal(0, f.Hardware.FullFlushes);
    }

    [Fact]
    public void WithHugePagesAnAlignedGigabyteIsOneEntry()
    {
        using PagingFixture f = new();
        RangeSummary summary = f.Mapper.MapRange(Virt(Base), Phys(DataBase), GiB1, ReadWrite, f.Allocator, allowHugePages: true).Value;
        Assert.Equal(1UL, summary.Pages1GiB);
        Assert.Equal(0UL, summary.Pages4KiB + summary.Pages2MiB);
        Assert.Equal(1UL, summary.TablesCreated);
        Assert.Equal(PageSize.Size1GiB, SizeAt(f, Base + 12345));
        Assert.Equal(DataBase + 12345, f.Mapper.TranslateAddr(Virt(Base + 12345)).Value.Value);
    }

    [Fact]
    public void EachPieceGetsTheLargestPageItsAlignmentAllows()
    {
        using PagingFixture f = new();
        // 2 x 4 KiB up to a 2 MiB boundary, 511 x 2 MiB up to a 1 GiB boundary, 1 x 1 GiB, 1 x 2 MiB, 3 x 4 KiB.
        ulong start = Base + GiB1 - 512 * MiB2 + MiB2 - 2 * KiB4;
        ulong length = 2 * KiB4 + 511 * MiB2 + GiB1 + MiB2 + 3 * KiB4;
        RangeSummary summary = f.Mapper.MapRange(Virt(start), Phys(DataBase + start - Base), length, ReadWrite, f.Allocator, true).Value;
        Assert.Equal(5UL, summary.Pages4KiB);
        Assert.Equal(512UL, summary.Pages2MiB);
        Assert.Equal(1UL, summary.Pages1GiB);
        Assert.Equal(length, summary.Bytes);
        Assert.Equal(PageSize.Size4KiB, SizeAt(f, start));
        Assert.Equal(PageSize.Size2MiB, SizeAt(f, start + 2 * KiB4));
        Assert.Equal(PageSize.Size1GiB, SizeAt(f, Base + GiB1));
        Assert.Equal(PageSize.Size2MiB, SizeAt(f, Base + 2 * GiB1));
        Assert.Equal(PageSize.Size4KiB, SizeAt(f, start + length - 1));
        for (ulong offset = 0; offset < length; offset += 7 * MiB2 + 3 * KiB4)
            Assert.Equal(DataBase + start - Base + offset, f.Mapper.TranslateAddr(Virt(start + offset)).Value.Value);
        Assert.Equal(TranslateError.NotMapped, f.Mapper.Translate(Virt(start - 1)).Error);
        Assert.Equal(TranslateError.NotMapped, f.Mapper.Translate(Virt(start + length)).Error);
    }

    [Fact]
    public void PhysicalMisalignmentForces4KiBPages()
    {
        using PagingFixture f = new();
        RangeSummary summary = f.Mapper.MapRange(Virt(Base), Phys(DataBase + KiB4), 4 * MiB2, ReadWrite, f.Allocator, true).Value;
        Assert.Equal(4 * 512UL, summary.Pages4KiB);
        Assert.Equal(0UL, summary.Pages2MiB);
    }

    [Fact]
    public void AnEmptyTableInTheWayOfAHugePageIsMappedThrough()
    {
        using PagingFixture f = new();
        _ = f.Mapper.MapTo(PageAt(Base), Frame(DataBase), ReadWrite, f.Allocator);
        _ = f.Mapper.Unmap(PageAt(Base));
        int tables = f.Allocator.Outstanding.Count;
        RangeSummary summary = f.Mapper.MapRange(Virt(Base), Phys(DataBase), 2 * MiB2, ReadWrite, f.Allocator, true).Value;
        Assert.Equal(512UL, summary.Pages4KiB); // through the existing P1 table
        Assert.Equal(1UL, summary.Pages2MiB);
        Assert.Equal(0UL, summary.TablesCreated);
        Assert.Equal(tables, f.Allocator.Outstanding.Count);
    }

    [Theory]
    [InlineData(Base + 0x800, DataBase, KiB4)]
    [InlineData(Base, DataBase + 0x10, KiB4)]
    [InlineData(Base, DataBase, KiB4 + 1)]
    public void UnalignedRangesAreRefused(ulong virt, ulong phys, ulong length)
    {
        using PagingFixture f = new();
        Assert.Equal(MapErrorKind.RangeNotAligned, f.Mapper.MapRange(Virt(virt), Phys(phys), length, ReadWrite, f.Allocator, true).Error.Kind);
        Assert.Equal(MapErrorKind.RangeNotAligned, f.Mapper.UnmapRange(Virt(virt), length | (virt & 0xFFF) | (phys & 0xFFF)).Error.Kind);
    }

    [Fact]
    public void RangesThatLeaveTheirHalfOrPhysicalMemoryAreRefused()
    {
        using PagingFixture f = new();
        Assert.Equal(MapErrorKind.RangeOutOfBounds,
            f.Mapper.MapRange(Virt(0x0000_7FFF_FFFF_F000), Phys(DataBase), 2 * KiB4, ReadWrite, f.Allocator, true).Error.Kind);
        Assert.Equal(MapErrorKind.RangeOutOfBounds,
            f.Mapper.MapRange(Virt(0xFFFF_FFFF_FFFF_F000), Phys(DataBase), 2 * KiB4, ReadWrite, f.Allocator, true).Error.Kind);
        Assert.Equal(MapErrorKind.RangeOutOfBounds,
            f.Mapper.MapRange(Virt(Base), Phys(PhysAddr.Limit - KiB4), 2 * KiB4, ReadWrite, f.Allocator, true).Error.Kind);
        Assert.Equal(MapErrorKind.RangeOutOfBounds, f.Mapper.UnmapRange(Virt(0x0000_7FFF_FFFF_F000), 2 * KiB4).Error.Kind);
        Assert.Empty(f.Allocator.Outstanding);
        // Up to the very last page of each half is fine.
        Assert.True(f.Mapper.MapRange(Virt(0xFFFF_FFFF_FFFF_E000), Phys(DataBase), 2 * KiB4, ReadWrite, f.Allocator, true).IsOk);
        Assert.Equal(DataBase + KiB4 + 0xFFF, f.Mapper.TranslateAddr(Virt(ulong.MaxValue)).Value.Value);
    }

    [Fact]
    public void AnEmptyRangeDoesNothing()
    {
        using PagingFixture f = new();
        Assert.Equal(0UL, f.Mapper.MapRange(Virt(Base), Phys(DataBase), 0, ReadWrite, f.Allocator, true).Value.Bytes);
        Assert.Equal(0UL, f.Mapper.UnmapRange(Virt(Base), 0).Value.Bytes);
        Assert.Empty(f.Allocator.Outstanding);
    }

    [Fact]
    public void AMappedPageInTheMiddleFailsTheWholeRangeAndChangesNothing()
    {
        using PagingFixture f = new();
        PhysFrame existing = Frame(DataBase + 77 * KiB4);
        _ = f.Mapper.MapTo(PageAt(Base + 3 * MiB2 + 5 * KiB4), existing, ReadWrite, f.Allocator);
        byte[] before = f.SnapshotTables();
        int outstanding = f.Allocator.Outstanding.Count;

        Result<RangeSummary, MapError> result = f.Mapper.MapRange(Virt(Base), Phys(DataBase), GiB1, ReadWrite, f.Allocator, false);
        Assert.Equal(MapErrorKind.PageAlreadyMapped, result.Error.Kind);
        Assert.Equal(existing, result.Error.Frame);
        Assert.Equal(before, f.SnapshotTables());
        Assert.Equal(outstanding, f.Allocator.Outstanding.Count);
    }

    [Fact]
    public void AHugePageInTheWayFailsTheRange()
    {
        using PagingFixture f = new();
        PhysFrame huge = Frame(DataBase, PageSize.Size2MiB);
        _ = f.Mapper.MapTo(PageAt(Base + MiB2, PageSize.Size2MiB), huge, ReadWrite, f.Allocator);
        byte[] before = f.SnapshotTables();

        // Where a 2 MiB page would go, the mapped one is reported; where 4 KiB pages must go below it, its entry is.
        Result<RangeSummary, MapError> aligned = f.Mapper.MapRange(Virt(Base), Phys(DataBase), 4 * MiB2, ReadWrite, f.Allocator, true);
        Assert.Equal(MapErrorKind.PageAlreadyMapped, aligned.Error.Kind);
        Assert.Equal(huge, aligned.Error.Frame);
        Result<RangeSummary, MapError> small = f.Mapper.MapRange(Virt(Base + MiB2 + KiB4), Phys(DataBase), KiB4, ReadWrite, f.Allocator, true);
        Assert.Equal(MapErrorKind.ParentEntryHugePage, small.Error.Kind);
        Assert.Equal(before, f.SnapshotTables());
    }

    [Fact]
    public void RunningOutOfTableFramesFailsTheRangeBeforeAnyWrite()
    {
        using PagingFixture f = new(poolFrames: 100);
        byte[] before = f.SnapshotTables();
        Result<RangeSummary, MapError> result = f.Mapper.MapRange(Virt(Base), Phys(DataBase), GiB1, ReadWrite, f.Allocator, false);
        Assert.Equal(MapErrorKind.FrameAllocationFailed, result.Error.Kind);
        Assert.Equal(before, f.SnapshotTables());
        Assert.Equal(100, f.Allocator.FreeCount);
    }

    [Fact]
    public void RangeParentsGetTheRightsTheLeavesNeed()
    {
        using PagingFixture f = new();
        _ = f.Mapper.MapRange(Virt(Base), Phys(DataBase), 3 * KiB4, PageTableFlags.Present, f.Allocator, false);
        Assert.Equal(PageTableFlags.Present, f.EntryAt(Virt(Base), PageTableLevel.Two).Flags);
        _ = f.Mapper.MapRange(Virt(Base + 4 * KiB4), Phys(DataBase), KiB4, ReadWrite | PageTableFlags.UserAccessible, f.Allocator, false);
        Assert.Equal(ReadWrite | PageTableFlags.UserAccessible, f.EntryAt(Virt(Base), PageTableLevel.Four).Flags);
        Assert.Equal(ReadWrite | PageTableFlags.UserAccessible, f.EntryAt(Virt(Base), PageTableLevel.Two).Flags);
        Assert.Equal(1, f.Hardware.FullFlushes); // widened live parents
    }

    [Fact]
    public void UnmapRangeRemovesEveryMappingSkipsGapsAndReportsCounts()
    {
        using PagingFixture f = new();
        _ = f.Mapper.MapRange(Virt(Base), Phys(DataBase), GiB1 + 3 * MiB2, ReadWrite, f.Allocator, true);
        _ = f.Mapper.MapRange(Virt(Base + GiB1 + 5 * MiB2), Phys(DataBase), 7 * KiB4, ReadWrite, f.Allocator, true);
        f.Hardware.ForgetFlushes();

        RangeSummary removed = f.Mapper.UnmapRange(Virt(Base), 2 * GiB1).Value;
        Assert.Equal(1UL, removed.Pages1GiB);
        Assert.Equal(3UL, removed.Pages2MiB);
        Assert.Equal(7UL, removed.Pages4KiB);
        for (ulong offset = 0; offset < 2 * GiB1; offset += 3 * MiB2 + KiB4)
            Assert.Equal(TranslateError.NotMapped, f.Mapper.Translate(Virt(Base + offset)).Error);
        // 11 pages: few enough for one invlpg each.
        Assert.Equal(11, f.Hardware.FlushedPages.Count);
        Assert.Contains(Base, f.Hardware.FlushedPages);
        Assert.Contains(Base + GiB1 + 5 * MiB2 + 6 * KiB4, f.Hardware.FlushedPages);
        Assert.Equal(0, f.Hardware.FullFlushes);
    }

    [Fact]
    public void AFewUnmappedPagesAreFlushedOneByOneManyWithOneFullFlush()
    {
        using PagingFixture f = new();
        _ = f.Mapper.MapRange(Virt(Base), Phys(DataBase), 3 * KiB4, ReadWrite, f.Allocator, false);
        f.Hardware.ForgetFlushes();
        _ = f.Mapper.UnmapRange(Virt(Base), 3 * KiB4);
        Assert.Equal(new[] { Base, Base + KiB4, Base + 2 * KiB4 }, f.Hardware.FlushedPages);
        Assert.Equal(0, f.Hardware.FullFlushes);

        _ = f.Mapper.MapRange(Virt(Base), Phys(DataBase), 100 * KiB4, ReadWrite, f.Allocator, false);
        f.Hardware.ForgetFlushes();
        _ = f.Mapper.UnmapRange(Virt(Base), 100 * KiB4);
        Assert.True(100 > OffsetPageTable.MaxSinglePageFlushes);
        Assert.Equal(1, f.Hardware.FullFlushes);
        Assert.Empty(f.Hardware.FlushedPages);
    }

    [Fact]
    public void GlobalPagesAreFlushedOneByOneEvenInAFullFlush()
    {
        using PagingFixture f = new();
        _ = f.Mapper.MapRange(Virt(Base), Phys(DataBase), 100 * KiB4, ReadWrite, f.Allocator, false);
        _ = f.Mapper.MapRange(Virt(Base + MiB2), Phys(DataBase), 2 * KiB4, ReadWrite | PageTableFlags.Global, f.Allocator, false);
        f.Hardware.ForgetFlushes();
        _ = f.Mapper.UnmapRange(Virt(Base), 2 * MiB2);
        Assert.Equal(1, f.Hardware.FullFlushes);
        Assert.Contains(Base + MiB2, f.Hardware.FlushedPages);
        Assert.Contains(Base + MiB2 + KiB4, f.Hardware.FlushedPages);
    }

    [Fact]
    public void UnmapRangeRefusesToCutAHugePage()
    {
        using PagingFixture f = new();
        _ = f.Mapper.MapTo(PageAt(Base, PageSize.Size2MiB), Frame(DataBase, PageSize.Size2MiB), ReadWrite, f.Allocator);
        _ = f.Mapper.MapTo(PageAt(Base + MiB2), Frame(DataBase), ReadWrite, f.Allocator);
        byte[] before = f.SnapshotTables();
        Assert.Equal(MapErrorKind.ParentEntryHugePage, f.Mapper.UnmapRange(Virt(Base + KiB4), MiB2 + KiB4).Error.Kind);
        Assert.Equal(before, f.SnapshotTables());
        Assert.Empty(f.Hardware.FlushedPages);
        Assert.Equal(PageSize.Size2MiB, SizeAt(f, Base));
    }

    [Fact]
    public void CleanUpReturnsEveryTableAfterEverythingIsUnmapped()
    {
        using PagingFixture f = new(poolFrames: 600);
        _ = f.Mapper.MapRange(Virt(Base), Phys(DataBase), GiB1, ReadWrite, f.Allocator, false);
        _ = f.Mapper.MapRange(Virt(0xFFFF_FFFF_8000_0000), Phys(DataBase), 5 * MiB2, ReadWrite, f.Allocator, true);
        Assert.Equal(0UL, f.Mapper.CleanUp(f.Allocator)); // nothing empty yet
        _ = f.Mapper.UnmapRange(Virt(Base), GiB1);
        _ = f.Mapper.UnmapRange(Virt(0xFFFF_FFFF_8000_0000), 5 * MiB2);
        f.Hardware.ForgetFlushes();

        Assert.Equal(514UL + 2UL, f.Mapper.CleanUp(f.Allocator));
        Assert.Empty(f.Allocator.Outstanding);
        Assert.Empty(f.Allocator.Violations);
        Assert.True(f.Mapper.Level4Table.IsEmpty);
        Assert.Equal(1, f.Hardware.FullFlushes);
    }

    [Fact]
    public void CleanUpKeepsTablesThatStillMapSomething()
    {
        using PagingFixture f = new();
        _ = f.Mapper.MapTo(PageAt(Base), Frame(DataBase), ReadWrite, f.Allocator);
        _ = f.Mapper.MapTo(PageAt(Base + GiB1), Frame(DataBase), ReadWrite, f.Allocator);
        _ = f.Mapper.Unmap(PageAt(Base + GiB1));
        Assert.Equal(5, f.Allocator.Outstanding.Count); // P3, two P2, two P1
        Assert.Equal(2UL, f.Mapper.CleanUp(f.Allocator));
        Assert.Equal(3, f.Allocator.Outstanding.Count);
        Assert.Equal(new HashSet<ulong>(f.Allocator.Outstanding), f.ReachableTables());
        Assert.Equal(DataBase, f.Mapper.TranslateAddr(Virt(Base)).Value.Value);
    }

    [Fact]
    public void CleanUpRangeOnlyFreesTablesWhollyInsideTheRange()
    {
        using PagingFixture f = new();
        _ = f.Mapper.MapTo(PageAt(Base), Frame(DataBase), ReadWrite, f.Allocator);
        _ = f.Mapper.Unmap(PageAt(Base));
        // The range covers the P1 table's 2 MiB but not the P2 table's 1 GiB.
        Assert.Equal(1UL, f.Mapper.CleanUpRange(Virt(Base), MiB2, f.Allocator).Value);
        Assert.Equal(2, f.Allocator.Outstanding.Count);
        Assert.Equal(2UL, f.Mapper.CleanUpRange(Virt(0), 1UL << 47, f.Allocator).Value);
        Assert.Empty(f.Allocator.Outstanding);
        Assert.Equal(MapErrorKind.RangeOutOfBounds, f.Mapper.CleanUpRange(Virt(0x0000_7FFF_FFFF_F000), 2 * KiB4, f.Allocator).Error.Kind);
    }
}
