using System;
using System.Runtime.CompilerServices;
using StrixOS.Memory;
using Xunit;

namespace StrixOS.Tests.Memory;

/// <summary>Translation packs the leaf entry, the offset and the frame size into twelve bytes (docs/memory.md).</summary>
public class TranslationTests
{
    private const PageTableFlags SomeFlags = PageTableFlags.Present | PageTableFlags.Writable | PageTableFlags.Global
        | PageTableFlags.NoExecute | PageTableFlags.HugePage;

    [Theory]
    [InlineData(0UL, PageSize.Size4KiB, 0UL)]
    [InlineData(PhysAddr.Limit - PageSizeExtensions.Bytes4KiB, PageSize.Size4KiB, 0xFFFUL)]
    [InlineData(PhysAddr.Limit - PageSizeExtensions.Bytes2MiB, PageSize.Size2MiB, PageSizeExtensions.Bytes2MiB - 1)]
    [InlineData(PhysAddr.Limit - PageSizeExtensions.Bytes1GiB, PageSize.Size1GiB, PageSizeExtensions.Bytes1GiB - 1)]
    [InlineData(0x4000_0000UL, PageSize.Size1GiB, 0x123UL)]
    public void KeepsFrameOffsetAndFlags(ulong start, PageSize size, ulong offset)
    {
        PhysFrame frame = PhysFrame.TryFromStartAddress(PhysAddr.TryNew(start).Value, size).Value;
        var translation = new Translation(frame, offset, SomeFlags);
        Assert.Equal(frame, translation.Frame);
        Assert.Equal(offset, translation.Offset);
        Assert.Equal(SomeFlags, translation.Flags);
        Assert.Equal(start + offset, translation.Address.Value);
    }

    [Fact]
    public void AddressBitsOfTheFlagsAreIgnored()
    {
        PhysFrame frame = PhysFrame.TryFromStartAddress(PhysAddr.TryNew(0x20_0000).Value, PageSize.Size2MiB).Value;
        var translation = new Translation(frame, 5, (PageTableFlags)PageTableEntry.AddressMask | PageTableFlags.Present);
        Assert.Equal(frame, translation.Frame);
        Assert.Equal(PageTableFlags.Present, translation.Flags);
    }

    [Theory]
    [InlineData(PageSize.Size4KiB)]
    [InlineData(PageSize.Size2MiB)]
    [InlineData(PageSize.Size1GiB)]
    public void AnOffsetOutsideTheFrameIsRejected(PageSize size)
    {
        PhysFrame frame = PhysFrame.TryFromStartAddress(PhysAddr.TryNew(0).Value, size).Value;
        Assert.Throws<ArgumentOutOfRangeException>(() => new Translation(frame, size.Bytes(), PageTableFlags.Present));
    }

    [Fact]
    public void TheResultFitsTwoRegisters()
    {
        Assert.Equal(12, Unsafe.SizeOf<Translation>());
        Assert.Equal(16, Unsafe.SizeOf<Result<Translation, TranslateError>>());
    }
}
