using System;
using StrixOS.Boot;
using StrixOS.Memory;
using Xunit;

namespace StrixOS.Tests.Boot;

public class MemoryMapFormatterTests
{
    [Fact]
    public void ARegionLineShowsStartEndTypeAndSize()
    {
        string line = MemoryMapFormatter.FormatRegion(new MemoryRegion(0x100000, 0x7fe0000, MemoryRegionType.Usable));
        Assert.Equal("0x0000000000100000-0x0000000007fe0000 Usable                126.9 MiB", line);
    }

    [Fact]
    public void TypeColumnsLineUp()
    {
        string a = MemoryMapFormatter.FormatRegion(new MemoryRegion(0, 0x1000, MemoryRegionType.InUse));
        string b = MemoryMapFormatter.FormatRegion(new MemoryRegion(0xfffc0000, 0x100000000, MemoryRegionType.BootloaderReclaimable));
        Assert.Equal("0x0000000000000000-0x0000000000001000 InUse                 4.0 KiB", a);
        Assert.Equal("0x00000000fffc0000-0x0000000100000000 BootloaderReclaimable 256.0 KiB", b);
    }

    [Fact]
    public void EveryTypeNameIsTheEnumName()
    {
        foreach (MemoryRegionType type in Enum.GetValues<MemoryRegionType>())
        {
            Assert.Equal(type.ToString(), MemoryMapFormatter.TypeName(type));
            Assert.True(MemoryMapFormatter.TypeName(type).Length <= MemoryMapFormatter.TypeNameWidth);
        }
        Assert.Equal("Unknown", MemoryMapFormatter.TypeName((MemoryRegionType)99));
    }

    [Theory]
    [InlineData(0UL, "0 B")]
    [InlineData(1023UL, "1023 B")]
    [InlineData(1024UL, "1.0 KiB")]
    [InlineData(1536UL, "1.5 KiB")]
    [InlineData(4096UL, "4.0 KiB")]
    [InlineData(0x9e000UL, "632.0 KiB")]
    [InlineData(1048575UL, "1.0 MiB")]
    [InlineData(0x7ee0000UL, "126.9 MiB")]
    [InlineData(0x7ec0000UL, "126.8 MiB")]
    [InlineData(0xC0000000UL, "3.0 GiB")]
    [InlineData(0x1_0000_0000UL, "4.0 GiB")]
    [InlineData(1UL << 52, "4.0 PiB")]
    [InlineData(ulong.MaxValue, "16.0 EiB")]
    public void SizesUseBinaryUnitsRoundedToOneDecimal(ulong bytes, string expected)
    {
        Assert.Equal(expected, MemoryMapFormatter.FormatSize(bytes));
    }

    [Fact]
    public void TheLongestLineFits()
    {
        var region = new MemoryRegion(0, ulong.MaxValue - 0x1000 * 1024UL * 1024 * 1024, MemoryRegionType.BootloaderReclaimable);
        Span<char> buffer = stackalloc char[MemoryMapFormatter.MaxLineLength];
        Assert.True(MemoryMapFormatter.TryFormatRegion(region, buffer, out int written));
        Assert.True(written > 60);
    }

    [Fact]
    public void ATooSmallBufferIsReportedNotOverrun()
    {
        var region = new MemoryRegion(0x100000, 0x7fe0000, MemoryRegionType.Usable);
        char[] buffer = new char[41];
        Assert.False(MemoryMapFormatter.TryFormatRegion(region, buffer.AsSpan(0, 40), out int written));
        Assert.Equal(0, written);
        Assert.Equal('\0', buffer[40]);
        Assert.False(MemoryMapFormatter.TryFormatSize(1 << 20, Span<char>.Empty, out written));
    }

    [Fact]
    public void TheTotalLineGivesSizeBytesAndFrames()
    {
        MemoryMap map = MemoryMapNormalizer.Normalize(
            new[] { new MemoryRegion(0x100000, 0x7fe0000, MemoryRegionType.Usable), new MemoryRegion(0x1000, 0x9f000, MemoryRegionType.Usable) },
            ReadOnlySpan<MemoryRegion>.Empty).Value;
        Assert.Equal("Total usable: 127.5 MiB (133685248 bytes, 32638 frames)", MemoryMapFormatter.FormatTotalUsable(map));
    }
}
