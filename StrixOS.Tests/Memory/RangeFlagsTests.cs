using System.Collections.Generic;
using StrixOS.Memory;
using Xunit;
using static StrixOS.Tests.Memory.PagingFixture;

namespace StrixOS.Tests.Memory;

/// <summary>UpdateRangeFlags: the flags of a range change, huge pages that stick out of it are split.</summary>
public class RangeFlagsTests
{
    private const PageTableFlags ReadWrite = PageTableFlags.Present | PageTableFlags.Writable;
    private const PageTableFlags ReadWriteNx = ReadWrite | PageTableFlags.NoExecute;
    private const PageTableFlags Cache = PageTableFlags.WriteThrough | PageTableFlags.NoCache;
    private const ulong KiB4 = 4096;
    private const ulong MiB2 = 2UL << 20;
    private const ulong GiB1 = 1UL << 30;
    /// <summary>16 GiB: aligned for every page size.</summary>
    private const ulong Base = 16 * GiB1;

    private static Translation At(PagingFixture f, ulong address) => f.Mapper.Translate(Virt(address)).Value;

    [Fact]
    public void AGigabytePageIsSplitAtBothEndsOfTheRangeAndOnlyTheRangeChanges()
    {
        using PagingFixture f = new();
        _ = f.Mapper.MapTo(PageAt(Base, PageSize.Size1GiB), Frame(DataBase, PageSize.Size1GiB), ReadWriteNx, f.Allocator).Value;
        int tables = f.Allocator.Outstanding.Count;
        // From 3 pages into the second 2 MiB to 5 pages into the fifth: two partial 2 MiB pieces, two whole ones.
        ulong start = Base + MiB2 + 3 * KiB4;
        ulong length = (MiB2 - 3 * KiB4) + 2 * MiB2 + 5 * KiB4;

        RangeSummary summary = f.Mapper.UpdateRangeFlags(Virt(start), length, PageTableFlags.WriteThrough, Cache, f.Allocator).Value;

        Assert.Equal(3UL, summary.TablesCreated);       // a P2 for the gigabyte, a P1 for each partial 2 MiB piece
        Assert.Equal(tables + 3, f.Allocator.Outstanding.Count);
        Assert.Equal(2UL, summary.Pages2MiB);
        Assert.Equal(512UL - 3 + 5, summary.Pages4KiB);
        Assert.Equal(0UL, summary.Pages1GiB);
        Assert.Equal(length, summary.Bytes);
        for (ulong offset = 0; offset < GiB1; offset += offset < 8 * MiB2 ? KiB4 : 5 * MiB2 + 3 * KiB4)
        {
            Translation page = At(f, Base + offset);
            bool inside = Base + offset >= start && Base + offset < start + length;
            Assert.Equal(DataBase + offset, page.Address.Value);
            Assert.Equal(inside ? ReadWriteNx | PageTableFlags.WriteThrough : ReadWriteNx, page.Flags & ~PageTableFlags.HugePage);
        }
        Assert.Equal(PageSize.Size2MiB, At(f, Base).Frame.Size);
        Assert.Equal(PageSize.Size4KiB, At(f, start).Frame.Size);
        Assert.Equal(PageSize.Size2MiB, At(f, Base + 2 * MiB2).Frame.Size);
        Assert.Equal(PageSize.Size4KiB, At(f, start + length).Frame.Size);
        Assert.Equal(PageSize.Size2MiB, At(f, Base + 5 * MiB2).Frame.Size);
        Assert.Empty(f.Allocator.Violations);
    }

    [Fact]
    public void AHugePageInsideTheRangeKeepsItsSize()
    {
        using PagingFixture f = new();
        _ = f.Mapper.MapRange(Virt(Base), Phys(DataBase), GiB1 + 2 * MiB2, ReadWrite, f.Allocator, allowHugePages: true).Value;
        int tables = f.Allocator.Outstanding.Count;
        RangeSummary summary = f.Mapper.UpdateRangeFlags(Virt(Base), GiB1 + 2 * MiB2, PageTableFlags.NoCache, PageTableFlags.None, f.Allocator).Value;
        Assert.Equal(1UL, summary.Pages1GiB);
        Assert.Equal(2UL, summary.Pages2MiB);
        Assert.Equal(0UL, summary.TablesCreated);
        Assert.Equal(tables, f.Allocator.Outstanding.Count);
        Assert.Equal(PageSize.Size1GiB, At(f, Base).Frame.Size);
        Assert.Equal(ReadWrite | PageTableFlags.NoCache | PageTableFlags.HugePage, At(f, Base + 12345).Flags);
        Assert.Equal(ReadWrite | PageTableFlags.NoCache | PageTableFlags.HugePage, At(f, Base + GiB1 + MiB2).Flags);
    }

    [Fact]
    public void FourKiBPagesChangeGapsAreSkippedAndClearedBitsGo()
    {
        using PagingFixture f = new();
        _ = f.Mapper.MapRange(Virt(Base), Phys(DataBase), 3 * KiB4, ReadWrite | PageTableFlags.NoCache, f.Allocator, false).Value;
        _ = f.Mapper.MapRange(Virt(Base + 10 * KiB4), Phys(DataBase), 2 * KiB4, ReadWrite | PageTableFlags.NoCache, f.Allocator, false).Value;
        RangeSummary summary = f.Mapper.UpdateRangeFlags(Virt(Base), 20 * KiB4, PageTableFlags.WriteThrough, Cache, f.Allocator).Value;
        Assert.Equal(5UL, summary.Pages4KiB);
        Assert.Equal(0UL, summary.TablesCreated);
        Assert.Equal(ReadWrite | PageTableFlags.WriteThrough, At(f, Base + 2 * KiB4).Flags);
        Assert.Equal(ReadWrite | PageTableFlags.WriteThrough, At(f, Base + 11 * KiB4).Flags);
        Assert.Equal(TranslateError.NotMapped, f.Mapper.Translate(Virt(Base + 5 * KiB4)).Error);
    }

    [Fact]
    public void PresentHugePageAndTheAddressCannotBeChanged()
    {
        using PagingFixture f = new();
        _ = f.Mapper.MapTo(PageAt(Base), Frame(DataBase), ReadWrite, f.Allocator).Value;
        const PageTableFlags everything = (PageTableFlags)ulong.MaxValue;
        _ = f.Mapper.UpdateRangeFlags(Virt(Base), KiB4, PageTableFlags.None, everything, f.Allocator).Value;
        Translation page = At(f, Base);
        Assert.Equal(PageTableFlags.Present, page.Flags);
        Assert.Equal(DataBase, page.Address.Value);
        _ = f.Mapper.UpdateRangeFlags(Virt(Base), KiB4, everything, PageTableFlags.None, f.Allocator).Value;
        Assert.Equal(DataBase, At(f, Base).Address.Value);
        Assert.Equal(PageTableFlags.None, At(f, Base).Flags & PageTableFlags.HugePage);
    }

    [Fact]
    public void WithoutFramesForTheSplitsNothingChanges()
    {
        using PagingFixture f = new();
        _ = f.Mapper.MapTo(PageAt(Base, PageSize.Size1GiB), Frame(DataBase, PageSize.Size1GiB), ReadWrite, f.Allocator).Value;
        f.Allocator.LeaveOnly(2);   // the range below needs 3
        byte[] before = f.SnapshotTables();
        f.Hardware.ForgetFlushes();
        Result<RangeSummary, MapError> result = f.Mapper.UpdateRangeFlags(Virt(Base + KiB4), 3 * MiB2, PageTableFlags.WriteThrough, Cache, f.Allocator);
        Assert.Equal(MapErrorKind.FrameAllocationFailed, result.Error.Kind);
        Assert.Equal(before, f.SnapshotTables());
        Assert.Equal(2, f.Allocator.FreeCount);
        Assert.Empty(f.Hardware.FlushedPages);
        Assert.Equal(0, f.Hardware.FullFlushes);
    }

    [Fact]
    public void AMisalignedHugePageIsRefusedBeforeAnyWrite()
    {
        using PagingFixture f = new();
        _ = f.Mapper.MapTo(PageAt(Base, PageSize.Size2MiB), Frame(DataBase, PageSize.Size2MiB), ReadWrite, f.Allocator).Value;
        _ = f.Mapper.MapTo(PageAt(Base + 2 * MiB2, PageSize.Size2MiB), Frame(DataBase, PageSize.Size2MiB), ReadWrite, f.Allocator).Value;
        ref PageTableEntry broken = ref f.EntryAt(Virt(Base + 2 * MiB2), PageTableLevel.Two);
        broken = new PageTableEntry(broken.Raw | 0x1000);   // bit 12: PAT of a huge page, or a misaligned frame
        byte[] before = f.SnapshotTables();
        // The range ends inside both huge pages: the first one could be split, the second cannot.
        Result<RangeSummary, MapError> result = f.Mapper.UpdateRangeFlags(Virt(Base + KiB4), 2 * MiB2, PageTableFlags.WriteThrough, Cache, f.Allocator);
        Assert.Equal(MapErrorKind.InvalidFrameAddress, result.Error.Kind);
        Assert.Equal(DataBase + 0x1000, result.Error.Address.Value);
        Assert.Equal(before, f.SnapshotTables());
    }

    [Fact]
    public void SplitHugePagesAreInvalidatedAndChangedPagesFlushed()
    {
        using PagingFixture f = new();
        _ = f.Mapper.MapTo(PageAt(Base, PageSize.Size2MiB), Frame(DataBase, PageSize.Size2MiB),
            ReadWrite | PageTableFlags.Global, f.Allocator).Value;
        f.Hardware.ForgetFlushes();
        _ = f.Mapper.UpdateRangeFlags(Virt(Base + 4 * KiB4), 2 * KiB4, PageTableFlags.WriteThrough, Cache, f.Allocator).Value;
        // The global huge page first, then each changed global piece at once.
        Assert.Equal(new[] { Base, Base + 4 * KiB4, Base + 5 * KiB4 }, f.Hardware.FlushedPages);
        Assert.Equal(0, f.Hardware.FullFlushes);
        Assert.Equal(ReadWrite | PageTableFlags.Global, At(f, Base + 3 * KiB4).Flags);

        f.Hardware.ForgetFlushes();
        _ = f.Mapper.UpdateRangeFlags(Virt(Base), 100 * KiB4, PageTableFlags.NoCache, PageTableFlags.None, f.Allocator).Value;
        Assert.Equal(100, f.Hardware.FlushedPages.Count);   // global: one by one, never left to a CR3 reload
    }

    [Fact]
    public void ParentsGainTheRightsTheNewFlagsNeed()
    {
        using PagingFixture f = new();
        _ = f.Mapper.MapTo(PageAt(Base), Frame(DataBase), PageTableFlags.Present, f.Allocator).Value;
        f.Hardware.ForgetFlushes();
        _ = f.Mapper.UpdateRangeFlags(Virt(Base), KiB4, PageTableFlags.Writable, PageTableFlags.None, f.Allocator).Value;
        Assert.Equal(ReadWrite, f.EntryAt(Virt(Base), PageTableLevel.Two).Flags);
        Assert.Equal(ReadWrite, f.EntryAt(Virt(Base), PageTableLevel.Four).Flags);
        Assert.Equal(1, f.Hardware.FullFlushes);
    }

    [Fact]
    public void BadRangesAreRefused()
    {
        using PagingFixture f = new();
        Assert.Equal(MapErrorKind.RangeNotAligned, f.Mapper.UpdateRangeFlags(Virt(Base + 1), KiB4, PageTableFlags.None, PageTableFlags.None, f.Allocator).Error.Kind);
        Assert.Equal(MapErrorKind.RangeNotAligned, f.Mapper.UpdateRangeFlags(Virt(Base), 100, PageTableFlags.None, PageTableFlags.None, f.Allocator).Error.Kind);
        Assert.Equal(MapErrorKind.RangeOutOfBounds,
            f.Mapper.UpdateRangeFlags(Virt(0x0000_7FFF_FFFF_F000), 2 * KiB4, PageTableFlags.None, PageTableFlags.None, f.Allocator).Error.Kind);
        Assert.Equal(0UL, f.Mapper.UpdateRangeFlags(Virt(Base), 0, PageTableFlags.None, PageTableFlags.None, f.Allocator).Value.Bytes);
        Assert.Empty(f.Allocator.Outstanding);
    }

    [Fact]
    public void SplittingKeepsEveryTranslationOfTheOffsetMap()
    {
        // 4 GiB in 1 GiB pages, as the boot stage maps RAM with -cpu max; retype 5 pages across a 2 MiB boundary.
        using PagingFixture f = new();
        const ulong offsetMap = 0xFFFF_8000_0000_0000;
        _ = f.Mapper.MapRange(Virt(offsetMap), Phys(0), 4 * GiB1, ReadWriteNx, f.Allocator, allowHugePages: true).Value;
        var before = new List<ulong>();
        for (ulong at = 0; at < 4 * GiB1; at += MiB2 - KiB4)
            before.Add(f.Mapper.TranslateAddr(Virt(offsetMap + at)).Value.Value);
        _ = f.Mapper.UpdateRangeFlags(Virt(offsetMap + 2 * GiB1 + MiB2 - 2 * KiB4), 5 * KiB4, PageTableFlags.WriteThrough, Cache, f.Allocator).Value;
        int i = 0;
        for (ulong at = 0; at < 4 * GiB1; at += MiB2 - KiB4)
            Assert.Equal(before[i++], f.Mapper.TranslateAddr(Virt(offsetMap + at)).Value.Value);
    }
}
