using System;
using System.Linq;
using System.Xml.Linq;
using Xunit;

namespace StrixOS.Tests.Kit;

public class MemoryPictureTests
{
    private const string Sample = """
        StrixOS 0.1.0: noise before the block
        #memmap begin 1
        #memmap region 0 1000 InUse
        #memmap region 1000 9f000 Usable
        #memmap region 9f000 a0000 Reserved
        #memmap region 100000 622000 Kernel
        #memmap region 622000 7fe0000 Usable
        #memmap region 100000000 140000000 Usable
        #memmap tables 1 2 6 16
        #memmap mapped 4988928 5368709120 0
        #memmap end
        [info]  boot complete; shutting down
        """;

    [Fact]
    public void ParsesRegionsTablesAndMappings()
    {
        MemoryPicture picture = MemoryPicture.Parse(Sample, out string? error);
        Assert.Null(error);
        Assert.Equal(6, picture.Regions.Count);
        Assert.Equal(new PictureRegion(0x622000, 0x7fe0000, "Usable"), picture.Regions[4]);
        Assert.Equal(25UL, picture.PageTableCount);
        Assert.Equal(16UL, picture.TablesPerLevel[1]);
        Assert.Equal(4988928UL, picture.Mapped4K);
        Assert.Equal(0x1000UL + 0x9e000 + 0x1000 + 0x522000 + (0x7fe0000 - 0x622000) + 0x40000000, picture.TotalBytes);
    }

    [Fact]
    public void SvgIsWellFormedAndItsRegionsAddUpToTheMap()
    {
        MemoryPicture picture = MemoryPicture.Parse(Sample, out _);
        XDocument svg = XDocument.Parse(picture.ToSvg());
        XNamespace ns = "http://www.w3.org/2000/svg";
        var regions = svg.Descendants(ns + "rect").Where(r => (string?)r.Attribute("class") == "region").ToList();
        Assert.Equal(picture.Regions.Count, regions.Count);
        ulong sum = regions.Aggregate(0UL, (s, r) => s + ulong.Parse((string)r.Attribute("data-bytes")!));
        Assert.Equal(picture.TotalBytes, sum);
        ulong usable = regions.Where(r => (string?)r.Attribute("data-type") == "Usable")
            .Aggregate(0UL, (s, r) => s + ulong.Parse((string)r.Attribute("data-bytes")!));
        Assert.Equal(picture.BytesOf("Usable"), usable);
        // The bar never runs past the picture's width.
        double right = regions.Max(r => double.Parse((string)r.Attribute("x")!) + double.Parse((string)r.Attribute("width")!));
        Assert.True(right <= 940.5, $"bar ends at {right}");
    }

    [Theory]
    [InlineData("no block at all")]
    [InlineData("#memmap begin 1\n#memmap region 0 1000 Usable\n")]
    [InlineData("#memmap begin 1\n#memmap end\n")]
    [InlineData("#memmap begin 1\n#memmap region zz 1000 Usable\n#memmap end\n")]
    public void MissingOrMalformedBlocksAreReported(string log)
    {
        MemoryPicture.Parse(log, out string? error);
        Assert.NotNull(error);
    }
}
