using StrixOS.Memory;
using Xunit;
using static StrixOS.Tests.Memory.PagingFixture;

namespace StrixOS.Tests.Memory;

/// <summary>MemoryManager keeps no state: each call checks the offset and returns a fresh mapper.</summary>
public class MemoryManagerTests
{
    [Fact]
    public void InitStoresTheOffsetAndMapsThroughTheTableCR3Names()
    {
        using PagingFixture f = new();
        // PWT and PCD bits in CR3 are not part of the table address.
        f.Hardware.Cr3 = Level4Address | 0x18;
        _ = f.Mapper.MapTo(PageAt(0x4000_0000), Frame(DataBase), PageTableFlags.Present, f.Allocator);

        OffsetPageTable mapper = MemoryManager.Init(f.Memory.Offset, f.Hardware).Value;
        Assert.Equal(f.Memory.Offset, mapper.PhysicalMemoryOffset);
        Assert.Equal(Level4Address, mapper.Level4Frame.StartAddress.Value);
        Assert.Equal(DataBase + 0x42, mapper.TranslateAddr(Virt(0x4000_0042)).Value.Value);
    }

    [Fact]
    public void TwoInitsGiveIndependentMappersWithTheirOwnOffsets()
    {
        using PagingFixture f = new();
        OffsetPageTable first = MemoryManager.Init(f.Memory.Offset, f.Hardware).Value;
        OffsetPageTable second = MemoryManager.Init(f.Memory.Offset + 0x1000, f.Hardware).Value;
        Assert.Equal(f.Memory.Offset, first.PhysicalMemoryOffset);
        Assert.Equal(f.Memory.Offset + 0x1000, second.PhysicalMemoryOffset);
    }

    [Theory]
    [InlineData(0xFFFF_8000_0000_0010UL)]
    [InlineData(0x0000_8000_0000_0000UL)]
    public void InitRefusesAnUnalignedOrNonCanonicalOffset(ulong offset)
    {
        SimulatedPagingHardware hardware = new(Level4Address);
        Assert.Equal(InitError.InvalidOffset, MemoryManager.Init(offset, hardware).Error);
    }

    [Fact]
    public unsafe void ActiveLevel4TablePointsIntoTheOffsetMap()
    {
        using PagingFixture f = new();
        PageTable* table = MemoryManager.ActiveLevel4Table(f.Memory.Offset, f.Hardware);
        Assert.Equal(f.Memory.Offset + Level4Address, (ulong)table);
    }
}
