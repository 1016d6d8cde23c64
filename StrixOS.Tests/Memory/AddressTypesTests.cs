using System.Collections.Generic;
using StrixOS.Memory;
using Xunit;

namespace StrixOS.Tests.Memory;

public class AddressTypesTests
{
    [Theory]
    [InlineData(0UL)]
    [InlineData(0x1234UL)]
    [InlineData((1UL << 52) - 1)]
    public void PhysAddrAcceptsValuesWithin52Bits(ulong value)
    {
        Result<PhysAddr, AddressError> result = PhysAddr.TryNew(value);
        Assert.True(result.IsOk);
        Assert.Equal(value, result.Value.Value);
    }

    [Theory]
    [InlineData(1UL << 52)]
    [InlineData(0xFFFF_FFFF_FFFF_FFFFUL)]
    public void PhysAddrRefusesValuesBeyond52Bits(ulong value)
    {
        Result<PhysAddr, AddressError> result = PhysAddr.TryNew(value);
        Assert.True(result.IsError);
        Assert.Equal(AddressError.BeyondPhysicalLimit, result.Error);
    }

    [Fact]
    public void PhysAddrTruncationIsExplicitAndDropsHighBits()
        => Assert.Equal(0x000F_0000_0000_1234UL, PhysAddr.NewTruncate(0xFFFF_0000_0000_1234).Value);

    [Fact]
    public void PhysAddrTryAddStopsAtTheLimit()
    {
        PhysAddr nearTop = PhysAddr.TryNew(PhysAddr.Limit - 0x1000).Value;
        Assert.Equal(PhysAddr.Limit - 1, nearTop.TryAdd(0xFFF).Value.Value);
        Assert.Equal(AddressError.BeyondPhysicalLimit, nearTop.TryAdd(0x1000).Error);
    }

    [Fact]
    public void ReadingTheValueOfAnErrorIsAProgrammingBug()
        => Assert.Throws<System.InvalidOperationException>(() => PhysAddr.TryNew(ulong.MaxValue).Value);

    [Theory]
    [InlineData(0UL)]
    [InlineData(0x0000_7FFF_FFFF_FFFFUL)]
    [InlineData(0xFFFF_8000_0000_0000UL)]
    [InlineData(0xFFFF_FFFF_FFFF_FFFFUL)]
    public void VirtAddrAcceptsCanonicalAddresses(ulong value)
    {
        Assert.True(VirtAddr.IsCanonical(value));
        Assert.Equal(value, VirtAddr.TryNew(value).Value.Value);
    }

    [Theory]
    [InlineData(0x0000_8000_0000_0000UL)]
    [InlineData(0x0001_0000_0000_0000UL)]
    [InlineData(0xFFFF_7FFF_FFFF_FFFFUL)]
    [InlineData(0x8000_0000_0000_0000UL)]
    public void VirtAddrRefusesNonCanonicalAddresses(ulong value)
    {
        Assert.False(VirtAddr.IsCanonical(value));
        Assert.Equal(AddressError.NotCanonical, VirtAddr.TryNew(value).Error);
    }

    [Theory]
    [InlineData(0x0000_8000_0000_0000UL, 0xFFFF_8000_0000_0000UL)]
    [InlineData(0x1234_0000_0000_5678UL, 0x0000_0000_0000_5678UL)]
    [InlineData(0x0000_FFFF_FFFF_F000UL, 0xFFFF_FFFF_FFFF_F000UL)]
    public void VirtAddrTruncationSignExtendsBit47(ulong value, ulong expected)
    {
        Assert.Equal(expected, VirtAddr.SignExtend(value));
        Assert.Equal(expected, VirtAddr.NewTruncate(value).Value);
    }

    [Fact]
    public void VirtAddrSplitsIntoTableIndexesAndOffset()
    {
        VirtAddr address = VirtAddr.TryNew(0xFFFF_8A5F_3C9E_5ABCUL).Value;
        ulong raw = address.Value;
        Assert.Equal((int)((raw >> 39) & 511), address.P4Index.Value);
        Assert.Equal((int)((raw >> 30) & 511), address.P3Index.Value);
        Assert.Equal((int)((raw >> 21) & 511), address.P2Index.Value);
        Assert.Equal((int)((raw >> 12) & 511), address.P1Index.Value);
        Assert.Equal(0xABC, address.PageOffset.Value);
        Assert.Equal(address.P3Index, address.Index(PageTableLevel.Three));
        VirtAddr rebuilt = VirtAddr.FromIndexes(address.P4Index, address.P3Index, address.P2Index, address.P1Index, address.PageOffset);
        Assert.Equal(address, rebuilt);
    }

    [Fact]
    public void VirtAddrTryAddRefusesToCrossIntoTheHole()
    {
        VirtAddr top = VirtAddr.TryNew(0x0000_7FFF_FFFF_F000).Value;
        Assert.Equal(0x0000_7FFF_FFFF_FFFFUL, top.TryAdd(0xFFF).Value.Value);
        Assert.Equal(AddressError.NotCanonical, top.TryAdd(0x1000).Error);
        VirtAddr last = VirtAddr.TryNew(0xFFFF_FFFF_FFFF_F000).Value;
        Assert.Equal(AddressError.NotCanonical, last.TryAdd(0x1000).Error);
    }

    [Fact]
    public void TableIndexAndPageOffsetCheckTheirRange()
    {
        Assert.Equal(511, PageTableIndex.TryNew(511).Value.Value);
        Assert.Equal(AddressError.OutOfRange, PageTableIndex.TryNew(512).Error);
        Assert.Equal(AddressError.OutOfRange, PageTableIndex.TryNew(-1).Error);
        Assert.Equal(1, PageTableIndex.NewTruncate(513).Value);
        Assert.Equal(4095, PageOffset.TryNew(4095).Value.Value);
        Assert.Equal(AddressError.OutOfRange, PageOffset.TryNew(4096).Error);
        Assert.Equal(1, PageOffset.NewTruncate(4097).Value);
    }

    public static IEnumerable<object[]> Sizes()
    {
        yield return new object[] { PageSize.Size4KiB };
        yield return new object[] { PageSize.Size2MiB };
        yield return new object[] { PageSize.Size1GiB };
    }

    [Fact]
    public void PageSizesHaveTheArchitecturalByteCountsAndLevels()
    {
        Assert.Equal(4096UL, PageSize.Size4KiB.Bytes());
        Assert.Equal(2UL << 20, PageSize.Size2MiB.Bytes());
        Assert.Equal(1UL << 30, PageSize.Size1GiB.Bytes());
        Assert.Equal(PageTableLevel.One, PageSize.Size4KiB.LeafLevel());
        Assert.Equal(PageTableLevel.Two, PageSize.Size2MiB.LeafLevel());
        Assert.Equal(PageTableLevel.Three, PageSize.Size1GiB.LeafLevel());
        Assert.Equal(512UL << 30, PageTableLevel.Four.EntrySpan());
        Assert.False(PageTableLevel.Four.TryGetLeafPageSize(out _));
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void PageAndFrameRequireAlignmentToTheirSize(PageSize size)
    {
        ulong bytes = size.Bytes();
        VirtAddr aligned = VirtAddr.TryNew(7 * bytes).Value;
        Page page = Page.TryFromStartAddress(aligned, size).Value;
        Assert.Equal(size, page.Size);
        Assert.Equal(bytes, page.SizeInBytes);
        Assert.Equal(AddressError.NotAligned, Page.TryFromStartAddress(VirtAddr.TryNew(7 * bytes + bytes / 2).Value, size).Error);

        PhysFrame frame = PhysFrame.TryFromStartAddress(PhysAddr.TryNew(3 * bytes).Value, size).Value;
        Assert.Equal(3 * bytes, frame.StartAddress.Value);
        Assert.Equal(AddressError.NotAligned, PhysFrame.TryFromStartAddress(PhysAddr.TryNew(3 * bytes + bytes / 2).Value, size).Error);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void ContainingAddressRoundsDownToThePageStart(PageSize size)
    {
        ulong bytes = size.Bytes();
        Page page = Page.TryContainingAddress(VirtAddr.TryNew(5 * bytes + bytes / 2 + 3).Value, size).Value;
        Assert.Equal(5 * bytes, page.StartAddress.Value);
        PhysFrame frame = PhysFrame.TryContainingAddress(PhysAddr.TryNew(9 * bytes + 1).Value, size).Value;
        Assert.Equal(9 * bytes, frame.StartAddress.Value);
    }

    [Fact]
    public void UndefinedPageSizesAreRefused()
    {
        Assert.Equal(AddressError.InvalidPageSize, Page.TryFromStartAddress(VirtAddr.Zero, (PageSize)3).Error);
        Assert.Equal(AddressError.InvalidPageSize, PhysFrame.TryFromStartAddress(PhysAddr.Zero, (PageSize)7).Error);
        Assert.Equal(AddressError.InvalidPageSize, Page.TryContainingAddress(VirtAddr.Zero, (PageSize)3).Error);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void PageRangesIterateInOrder(PageSize size)
    {
        ulong bytes = size.Bytes();
        Page start = Page.TryFromStartAddress(VirtAddr.TryNew(2 * bytes).Value, size).Value;
        Page end = Page.TryFromStartAddress(VirtAddr.TryNew(5 * bytes).Value, size).Value;
        List<ulong> starts = new();
        foreach (Page page in Page.Range(start, end).Value)
            starts.Add(page.StartAddress.Value);
        Assert.Equal(new[] { 2 * bytes, 3 * bytes, 4 * bytes }, starts);
        Assert.Equal(4UL, Page.RangeInclusive(start, end).Value.Count);
        Assert.Equal(AddressError.InvalidRange, Page.Range(end, start).Error);
    }

    [Fact]
    public void PageRangesStayInOneHalfAndOneSize()
    {
        Page low = Page.TryFromStartAddress(VirtAddr.TryNew(0x0000_7FFF_FFFF_E000).Value).Value;
        Page high = Page.TryFromStartAddress(VirtAddr.TryNew(0xFFFF_8000_0000_0000).Value).Value;
        Assert.Equal(AddressError.InvalidRange, Page.Range(low, high).Error);
        Assert.Equal(2UL, PageRange.TryNew(low, 2).Value.Count);
        Assert.Equal(AddressError.InvalidRange, PageRange.TryNew(low, 3).Error);
        Page huge = Page.TryFromStartAddress(VirtAddr.Zero, PageSize.Size2MiB).Value;
        Assert.Equal(AddressError.SizeMismatch, Page.Range(huge, low).Error);
    }

    [Fact]
    public void FrameRangesIterateAndStopAtThePhysicalLimit()
    {
        PhysFrame first = PhysFrame.TryFromStartAddress(PhysAddr.TryNew(0x10000).Value).Value;
        PhysFrame last = PhysFrame.TryFromStartAddress(PhysAddr.TryNew(0x12000).Value).Value;
        List<ulong> starts = new();
        foreach (PhysFrame frame in PhysFrame.RangeInclusive(first, last).Value)
            starts.Add(frame.StartAddress.Value);
        Assert.Equal(new[] { 0x10000UL, 0x11000UL, 0x12000UL }, starts);
        PhysFrame top = PhysFrame.TryFromStartAddress(PhysAddr.TryNew(PhysAddr.Limit - 0x2000).Value).Value;
        Assert.True(PhysFrameRange.TryNew(top, 2).IsOk);
        Assert.Equal(AddressError.InvalidRange, PhysFrameRange.TryNew(top, 3).Error);
    }
}
