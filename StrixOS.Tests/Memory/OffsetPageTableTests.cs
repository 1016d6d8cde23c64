using System.Collections.Generic;
using StrixOS.Memory;
using Xunit;
using static StrixOS.Tests.Memory.PagingFixture;

namespace StrixOS.Tests.Memory;

/// <summary>Single-page operations of <see cref="OffsetPageTable"/>, for all three page sizes, and their errors.</summary>
public unsafe class OffsetPageTableTests
{
    private const PageTableFlags ReadWrite = PageTableFlags.Present | PageTableFlags.Writable;
    /// <summary>3 GiB + 4 MiB: aligned for every page size, with non-zero P3 and P2 indexes.</summary>
    private const ulong SomeAddress = 0x0000_00C0_4000_0000;

    public static IEnumerable<object[]> Sizes() => AddressTypesTests.Sizes();

    private static Page SomePage(PageSize size, ulong index = 0) => PageAt(SomeAddress + index * size.Bytes(), size);
    private static PhysFrame DataFrame(PageSize size, ulong index = 0) => Frame(DataBase + index * size.Bytes(), size);

    [Fact]
    public void TranslateOfAnEmptyTableIsNotMapped()
    {
        using PagingFixture f = new();
        Assert.Equal(TranslateError.NotMapped, f.Mapper.Translate(Virt(SomeAddress)).Error);
        Assert.Equal(TranslateError.NotMapped, f.Mapper.TranslateAddr(Virt(0xFFFF_FFFF_8000_0000)).Error);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void MapToThenTranslateFindsFrameOffsetAndFlags(PageSize size)
    {
        using PagingFixture f = new();
        Page page = SomePage(size);
        PhysFrame frame = DataFrame(size, 3);
        Assert.Equal(page, f.Mapper.MapTo(page, frame, ReadWrite | PageTableFlags.NoExecute, f.Allocator).Value);

        ulong offset = size.Bytes() / 2 + 0x123;
        Translation translation = f.Mapper.Translate(Virt(SomeAddress + offset)).Value;
        Assert.Equal(frame, translation.Frame);
        Assert.Equal(size, translation.Frame.Size);
        Assert.Equal(offset, translation.Offset);
        PageTableFlags expected = ReadWrite | PageTableFlags.NoExecute | (size == PageSize.Size4KiB ? 0 : PageTableFlags.HugePage);
        Assert.Equal(expected, translation.Flags);
        Assert.Equal(frame.StartAddress.Value + offset, f.Mapper.TranslateAddr(Virt(SomeAddress + offset)).Value.Value);
        // The neighbours stay unmapped.
        Assert.Equal(TranslateError.NotMapped, f.Mapper.Translate(Virt(SomeAddress + size.Bytes())).Error);
        Assert.Equal(TranslateError.NotMapped, f.Mapper.Translate(Virt(SomeAddress - 1)).Error);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void MapToCreatesExactlyTheMissingTablesAndNeedsNoFlush(PageSize size)
    {
        using PagingFixture f = new();
        _ = f.Mapper.MapTo(SomePage(size), DataFrame(size), ReadWrite, f.Allocator);
        Assert.Equal(TablesFor(size), f.Allocator.Outstanding.Count);
        Assert.Equal(new HashSet<ulong>(f.Allocator.Outstanding), f.ReachableTables());

        // A second page under the same parents needs no new table.
        _ = f.Mapper.MapTo(SomePage(size, 1), DataFrame(size, 1), ReadWrite, f.Allocator);
        Assert.Equal(TablesFor(size), f.Allocator.Outstanding.Count);
        Assert.Empty(f.Hardware.FlushedPages);
        Assert.Equal(0, f.Hardware.FullFlushes);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void ParentEntriesGetPresentPlusTheWritableAndUserBitsTheLeafNeeds(PageSize size)
    {
        using PagingFixture f = new();
        _ = f.Mapper.MapTo(SomePage(size), DataFrame(size), PageTableFlags.Present | PageTableFlags.NoExecute, f.Allocator);
        for (PageTableLevel level = PageTableLevel.Four; level > size.LeafLevel(); level--)
            Assert.Equal(PageTableFlags.Present, f.EntryAt(Virt(SomeAddress), level).Flags);

        _ = f.Mapper.MapTo(SomePage(size, 1), DataFrame(size), ReadWrite | PageTableFlags.UserAccessible, f.Allocator);
        for (PageTableLevel level = PageTableLevel.Four; level > size.LeafLevel(); level--)
            Assert.Equal(ReadWrite | PageTableFlags.UserAccessible, f.EntryAt(Virt(SomeAddress), level).Flags);
        // Widening a live parent flushes the page, so no stale narrower rights stay cached.
        Assert.Contains(SomePage(size, 1).StartAddress.Value, f.Hardware.FlushedPages);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void MapToWithTableFlagsUsesTheGivenParentFlags(PageSize size)
    {
        using PagingFixture f = new();
        _ = f.Mapper.MapToWithTableFlags(SomePage(size), DataFrame(size), PageTableFlags.Present,
            PageTableFlags.Writable | PageTableFlags.UserAccessible | PageTableFlags.HugePage, f.Allocator);
        for (PageTableLevel level = PageTableLevel.Four; level > size.LeafLevel(); level--)
            Assert.Equal(ReadWrite | PageTableFlags.UserAccessible, f.EntryAt(Virt(SomeAddress), level).Flags);
        Assert.Equal(PageTableFlags.Present, f.Mapper.Translate(Virt(SomeAddress)).Value.Flags & ~PageTableFlags.HugePage);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void MapToWithTableFlagsIgnoresAddressBitsInTheParentFlags(PageSize size)
    {
        using PagingFixture f = new();
        // Bit 21 lies in an entry's address field: taken as a flag it would point the new parents elsewhere.
        PageTableFlags parentFlags = PageTableFlags.Writable | (PageTableFlags)(1UL << 21);
        Assert.True(f.Mapper.MapToWithTableFlags(SomePage(size), DataFrame(size), ReadWrite, parentFlags, f.Allocator).IsOk);
        for (PageTableLevel level = PageTableLevel.Four; level > size.LeafLevel(); level--)
            Assert.Equal(ReadWrite, f.EntryAt(Virt(SomeAddress), level).Flags);
        Assert.Equal(new HashSet<ulong>(f.Allocator.Outstanding), f.ReachableTables());
        Assert.Equal(DataFrame(size), f.Mapper.Translate(Virt(SomeAddress)).Value.Frame);

        // The same flags again, under the same parents: mapped in place, no table needed.
        int tables = f.Allocator.Outstanding.Count;
        Assert.True(f.Mapper.MapToWithTableFlags(SomePage(size, 1), DataFrame(size, 1), ReadWrite, parentFlags, new EmptyFrameAllocator()).IsOk);
        Assert.Equal(tables, f.Allocator.Outstanding.Count);
        Assert.Equal(DataFrame(size, 1), f.Mapper.Translate(Virt(SomeAddress + size.Bytes())).Value.Frame);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void MappingAMappedPageReportsTheFrameThatIsMappedAndChangesNothing(PageSize size)
    {
        using PagingFixture f = new();
        PhysFrame first = DataFrame(size, 1);
        _ = f.Mapper.MapTo(SomePage(size), first, ReadWrite, f.Allocator);
        byte[] before = f.SnapshotTables();
        int outstanding = f.Allocator.Outstanding.Count;

        Result<Page, MapError> again = f.Mapper.MapTo(SomePage(size), DataFrame(size, 2), ReadWrite, f.Allocator);
        Assert.Equal(MapErrorKind.PageAlreadyMapped, again.Error.Kind);
        Assert.Equal(first, again.Error.Frame);
        Assert.Equal(before, f.SnapshotTables());
        Assert.Equal(outstanding, f.Allocator.Outstanding.Count);
    }

    [Theory]
    [InlineData(PageSize.Size4KiB, PageSize.Size2MiB)]
    [InlineData(PageSize.Size4KiB, PageSize.Size1GiB)]
    [InlineData(PageSize.Size2MiB, PageSize.Size1GiB)]
    public void MappingUnderAHugePageIsRefused(PageSize small, PageSize huge)
    {
        using PagingFixture f = new();
        _ = f.Mapper.MapTo(SomePage(huge), DataFrame(huge), ReadWrite, f.Allocator);
        byte[] before = f.SnapshotTables();
        Page inside = PageAt(SomeAddress + huge.Bytes() - small.Bytes(), small);

        Assert.Equal(MapErrorKind.ParentEntryHugePage, f.Mapper.MapTo(inside, DataFrame(small), ReadWrite, f.Allocator).Error.Kind);
        Assert.Equal(MapErrorKind.ParentEntryHugePage, f.Mapper.Unmap(inside).Error.Kind);
        Assert.Equal(MapErrorKind.ParentEntryHugePage, f.Mapper.UpdateFlags(inside, ReadWrite).Error.Kind);
        Assert.Equal(before, f.SnapshotTables());
        Assert.Equal(TablesFor(huge), f.Allocator.Outstanding.Count);
    }

    [Theory]
    [InlineData(PageSize.Size4KiB, PageSize.Size2MiB)]
    [InlineData(PageSize.Size4KiB, PageSize.Size1GiB)]
    [InlineData(PageSize.Size2MiB, PageSize.Size1GiB)]
    public void AHugePageOverSmallerMappingsReportsOneOfThem(PageSize small, PageSize huge)
    {
        using PagingFixture f = new();
        PhysFrame smallFrame = DataFrame(small, 5);
        Page inside = PageAt(SomeAddress + 3 * small.Bytes(), small);
        _ = f.Mapper.MapTo(inside, smallFrame, ReadWrite, f.Allocator);
        byte[] before = f.SnapshotTables();

        Result<Page, MapError> result = f.Mapper.MapTo(SomePage(huge), DataFrame(huge), ReadWrite, f.Allocator);
        Assert.Equal(MapErrorKind.PageAlreadyMapped, result.Error.Kind);
        Assert.Equal(smallFrame, result.Error.Frame);
        Assert.Equal(before, f.SnapshotTables());

        // Once the small page is gone its now empty table is still in the way, until CleanUp frees it.
        _ = f.Mapper.Unmap(inside);
        Assert.Equal(MapErrorKind.PageTableInTheWay, f.Mapper.MapTo(SomePage(huge), DataFrame(huge), ReadWrite, f.Allocator).Error.Kind);
        Assert.True(f.Mapper.CleanUp(f.Allocator) > 0);
        Assert.True(f.Mapper.MapTo(SomePage(huge), DataFrame(huge), ReadWrite, f.Allocator).IsOk);
        Assert.Equal(DataFrame(huge), f.Mapper.Translate(Virt(SomeAddress)).Value.Frame);
        Assert.Empty(f.Allocator.Violations);
    }

    [Fact]
    public void PageAndFrameSizesMustMatch()
    {
        using PagingFixture f = new();
        Result<Page, MapError> result = f.Mapper.MapTo(SomePage(PageSize.Size2MiB), DataFrame(PageSize.Size4KiB), ReadWrite, f.Allocator);
        Assert.Equal(MapErrorKind.PageSizeMismatch, result.Error.Kind);
        Assert.Empty(f.Allocator.Outstanding);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void AllocatorExhaustionMidwayLeavesTablesUnchangedAndLeaksNothing(PageSize size)
    {
        using PagingFixture f = new();
        int needed = TablesFor(size);
        f.Allocator.LeaveOnly(needed - 1);
        List<ulong> heldBefore = new(f.Allocator.Outstanding);
        byte[] before = f.SnapshotTables();

        Result<Page, MapError> result = f.Mapper.MapTo(SomePage(size), DataFrame(size), ReadWrite, f.Allocator);
        Assert.Equal(MapErrorKind.FrameAllocationFailed, result.Error.Kind);
        Assert.Equal(before, f.SnapshotTables());
        Assert.Equal(needed - 1, f.Allocator.FreeCount);
        Assert.Equal(heldBefore.Count, f.Allocator.Outstanding.Count);
        Assert.Equal(TranslateError.NotMapped, f.Mapper.Translate(Virt(SomeAddress)).Error);
    }

    [Fact]
    public void ExhaustionWithSomeParentsPresentAlsoChangesNothing()
    {
        using PagingFixture f = new();
        // A 1 GiB page creates the P3 table; a 4 KiB page in another gigabyte then needs P2 and P1.
        _ = f.Mapper.MapTo(SomePage(PageSize.Size1GiB), DataFrame(PageSize.Size1GiB), ReadWrite, f.Allocator);
        f.Allocator.LeaveOnly(1);
        byte[] before = f.SnapshotTables();
        Page page = PageAt(SomeAddress + (1UL << 30));
        Assert.Equal(MapErrorKind.FrameAllocationFailed, f.Mapper.MapTo(page, DataFrame(PageSize.Size4KiB), ReadWrite, f.Allocator).Error.Kind);
        Assert.Equal(before, f.SnapshotTables());
        Assert.Equal(1, f.Allocator.FreeCount);
    }

    [Fact]
    public void AMappingThatNeedsNoTableWorksWithTheEmptyAllocator()
    {
        using PagingFixture f = new();
        _ = f.Mapper.MapTo(SomePage(PageSize.Size4KiB), DataFrame(PageSize.Size4KiB), ReadWrite, f.Allocator);
        EmptyFrameAllocator empty = new();
        Assert.True(f.Mapper.MapTo(SomePage(PageSize.Size4KiB, 1), DataFrame(PageSize.Size4KiB, 1), ReadWrite, empty).IsOk);
        Assert.Equal(MapErrorKind.FrameAllocationFailed,
            f.Mapper.MapTo(PageAt(0x4000_0000_0000), DataFrame(PageSize.Size4KiB), ReadWrite, empty).Error.Kind);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void UnmapReturnsTheFrameAndFlushesThePage(PageSize size)
    {
        using PagingFixture f = new();
        PhysFrame frame = DataFrame(size, 7);
        _ = f.Mapper.MapTo(SomePage(size), frame, ReadWrite, f.Allocator);

        Assert.Equal(frame, f.Mapper.Unmap(SomePage(size)).Value);
        Assert.Equal(TranslateError.NotMapped, f.Mapper.Translate(Virt(SomeAddress)).Error);
        Assert.Equal(new[] { SomeAddress }, f.Hardware.FlushedPages);
        Assert.Equal(MapErrorKind.PageNotMapped, f.Mapper.Unmap(SomePage(size)).Error.Kind);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void UnmapOfANeverMappedPageIsRefusedWithoutFlushing(PageSize size)
    {
        using PagingFixture f = new();
        Assert.Equal(MapErrorKind.PageNotMapped, f.Mapper.Unmap(SomePage(size)).Error.Kind);
        Assert.Equal(MapErrorKind.PageNotMapped, f.Mapper.UpdateFlags(SomePage(size), ReadWrite).Error.Kind);
        Assert.Empty(f.Hardware.FlushedPages);
    }

    [Theory]
    [InlineData(PageSize.Size2MiB)]
    [InlineData(PageSize.Size1GiB)]
    public void AHugePageIsNotMappedWhereItsEntryHoldsATable(PageSize size)
    {
        using PagingFixture f = new();
        _ = f.Mapper.MapTo(SomePage(PageSize.Size4KiB), DataFrame(PageSize.Size4KiB), ReadWrite, f.Allocator);
        byte[] before = f.SnapshotTables();
        Assert.Equal(MapErrorKind.PageNotMapped, f.Mapper.Unmap(SomePage(size)).Error.Kind);
        Assert.Equal(MapErrorKind.PageNotMapped, f.Mapper.UpdateFlags(SomePage(size), ReadWrite).Error.Kind);
        Assert.Equal(before, f.SnapshotTables());
    }

    [Theory]
    [InlineData(PageSize.Size2MiB)]
    [InlineData(PageSize.Size1GiB)]
    public void AMisalignedHugeFrameAddressIsReportedNotUsed(PageSize size)
    {
        using PagingFixture f = new();
        _ = f.Mapper.MapTo(SomePage(size), DataFrame(size), ReadWrite, f.Allocator);
        ref PageTableEntry leaf = ref f.EntryAt(Virt(SomeAddress), size.LeafLevel());
        PhysAddr misaligned = Phys(DataBase + 0x5000);
        leaf.SetAddress(misaligned, leaf.Flags);
        byte[] before = f.SnapshotTables();

        Assert.Equal(TranslateError.InvalidFrameAddress, f.Mapper.Translate(Virt(SomeAddress)).Error);
        Result<PhysFrame, MapError> unmap = f.Mapper.Unmap(SomePage(size));
        Assert.Equal(MapErrorKind.InvalidFrameAddress, unmap.Error.Kind);
        Assert.Equal(misaligned, unmap.Error.Address);
        Assert.Equal(before, f.SnapshotTables());
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void UpdateFlagsReplacesLeafFlagsReturnsTheOldOnesAndFlushes(PageSize size)
    {
        using PagingFixture f = new();
        _ = f.Mapper.MapTo(SomePage(size), DataFrame(size), ReadWrite, f.Allocator);
        f.Hardware.ForgetFlushes();

        PageTableFlags old = f.Mapper.UpdateFlags(SomePage(size), PageTableFlags.NoExecute | PageTableFlags.Global).Value;
        Assert.Equal(ReadWrite, old & ~PageTableFlags.HugePage);
        Translation translation = f.Mapper.Translate(Virt(SomeAddress)).Value;
        PageTableFlags huge = size == PageSize.Size4KiB ? 0 : PageTableFlags.HugePage;
        Assert.Equal(PageTableFlags.Present | PageTableFlags.NoExecute | PageTableFlags.Global | huge, translation.Flags);
        Assert.Equal(DataFrame(size), translation.Frame);
        Assert.Equal(new[] { SomeAddress }, f.Hardware.FlushedPages);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void UpdateFlagsWidensParentEntriesWhenTheNewFlagsNeedIt(PageSize size)
    {
        using PagingFixture f = new();
        _ = f.Mapper.MapTo(SomePage(size), DataFrame(size), PageTableFlags.Present, f.Allocator);
        _ = f.Mapper.UpdateFlags(SomePage(size), ReadWrite | PageTableFlags.UserAccessible);
        for (PageTableLevel level = PageTableLevel.Four; level > size.LeafLevel(); level--)
        {
            PageTableFlags parent = f.EntryAt(Virt(SomeAddress), level).Flags;
            Assert.Equal(ReadWrite | PageTableFlags.UserAccessible, parent);
        }
    }

    [Fact]
    public void SetFlagsChangesP4P3AndP2EntriesAndFlushesEverything()
    {
        using PagingFixture f = new();
        VirtAddr address = Virt(SomeAddress);
        _ = f.Mapper.MapTo(SomePage(PageSize.Size4KiB), DataFrame(PageSize.Size4KiB), ReadWrite, f.Allocator);
        f.Hardware.ForgetFlushes();

        PageTableFlags wanted = ReadWrite | PageTableFlags.UserAccessible | PageTableFlags.Bit9;
        Assert.Equal(ReadWrite, f.Mapper.SetP4EntryFlags(address, wanted).Value);
        Assert.Equal(ReadWrite, f.Mapper.SetP3EntryFlags(address, wanted).Value);
        Assert.Equal(ReadWrite, f.Mapper.SetP2EntryFlags(address, wanted | PageTableFlags.HugePage).Value);
        Assert.Equal(wanted, f.EntryAt(address, PageTableLevel.Four).Flags);
        Assert.Equal(wanted, f.EntryAt(address, PageTableLevel.Three).Flags);
        Assert.Equal(wanted, f.EntryAt(address, PageTableLevel.Two).Flags);
        Assert.Equal(3, f.Hardware.FullFlushes);
        // The mapping itself is untouched.
        Assert.Equal(DataFrame(PageSize.Size4KiB), f.Mapper.Translate(address).Value.Frame);
    }

    [Fact]
    public void SetFlagsRefusesAbsentEntriesAndHugePageEntries()
    {
        using PagingFixture f = new();
        VirtAddr address = Virt(SomeAddress);
        Assert.Equal(MapErrorKind.PageNotMapped, f.Mapper.SetP4EntryFlags(address, ReadWrite).Error.Kind);
        _ = f.Mapper.MapTo(SomePage(PageSize.Size2MiB), DataFrame(PageSize.Size2MiB), ReadWrite, f.Allocator);
        byte[] before = f.SnapshotTables();
        Assert.Equal(MapErrorKind.PageNotMapped, f.Mapper.SetP3EntryFlags(Virt(SomeAddress + (1UL << 30)), ReadWrite).Error.Kind);
        Assert.Equal(MapErrorKind.ParentEntryHugePage, f.Mapper.SetP2EntryFlags(address, ReadWrite).Error.Kind);
        Assert.Equal(before, f.SnapshotTables());
        Assert.Equal(0, f.Hardware.FullFlushes);
    }

    [Fact]
    public void IdentityMapMapsAFrameAtItsOwnAddress()
    {
        using PagingFixture f = new();
        PhysFrame frame = Frame(0x20_0000, PageSize.Size2MiB);
        Page page = f.Mapper.IdentityMap(frame, ReadWrite, f.Allocator).Value;
        Assert.Equal(0x20_0000UL, page.StartAddress.Value);
        Assert.Equal(PageSize.Size2MiB, page.Size);
        Assert.Equal(0x20_0123UL, f.Mapper.TranslateAddr(Virt(0x20_0123)).Value.Value);
    }

    [Fact]
    public void IdentityMapRefusesAFrameAboveTheLowerHalf()
    {
        using PagingFixture f = new();
        PhysFrame frame = Frame(1UL << 47);
        Result<Page, MapError> result = f.Mapper.IdentityMap(frame, ReadWrite, f.Allocator);
        Assert.Equal(MapErrorKind.InvalidFrameAddress, result.Error.Kind);
        Assert.Equal(frame.StartAddress, result.Error.Address);
    }

    [Fact]
    public void UpperHalfAddressesMapThroughTheirSignExtendedIndexes()
    {
        using PagingFixture f = new();
        Page page = PageAt(0xFFFF_FFFF_8000_0000, PageSize.Size2MiB);
        _ = f.Mapper.MapTo(page, DataFrame(PageSize.Size2MiB), ReadWrite | PageTableFlags.Global, f.Allocator);
        Assert.Equal(511, page.P4Index.Value);
        Assert.Equal(510, page.P3Index.Value);
        Assert.Equal(DataBase + 0x1234, f.Mapper.TranslateAddr(Virt(0xFFFF_FFFF_8000_1234)).Value.Value);
        Assert.Equal(TranslateError.NotMapped, f.Mapper.Translate(Virt(0x0000_7FFF_8000_1234)).Error);
    }

    [Fact]
    public void WorksOnALevel4TableThatIsNotTheActiveOne()
    {
        using PagingFixture f = new();
        PhysFrame otherLevel4 = f.Allocator.AllocateFrame().Value;
        f.Memory.ZeroFrame(otherLevel4);
        OffsetPageTable other = new(otherLevel4, f.Memory.Offset, f.Hardware);

        _ = other.MapTo(SomePage(PageSize.Size4KiB), DataFrame(PageSize.Size4KiB), ReadWrite, f.Allocator);
        Assert.Equal(DataFrame(PageSize.Size4KiB), other.Translate(Virt(SomeAddress)).Value.Frame);
        Assert.Equal(TranslateError.NotMapped, f.Mapper.Translate(Virt(SomeAddress)).Error);
        Assert.Equal(Level4Address, f.Hardware.Cr3);
    }

    [Fact]
    public void TranslateIgnoresAP4EntryWithTheReservedHugeBit()
    {
        using PagingFixture f = new();
        f.Mapper.Level4Table[Virt(SomeAddress).P4Index].SetAddress(Phys(0), PageTableFlags.Present | PageTableFlags.HugePage);
        Assert.Equal(TranslateError.NotMapped, f.Mapper.Translate(Virt(SomeAddress)).Error);
        Assert.Equal(MapErrorKind.ParentEntryHugePage, f.Mapper.MapTo(SomePage(PageSize.Size4KiB), DataFrame(PageSize.Size4KiB), ReadWrite, f.Allocator).Error.Kind);
    }
}
