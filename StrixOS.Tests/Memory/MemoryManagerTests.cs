using System;
using StrixOS.Memory;
using Xunit;
using static StrixOS.Tests.Memory.PagingFixture;

namespace StrixOS.Tests.Memory;

/// <summary>MemoryManager holds process-wide state: every test touching it lives in this one class
/// (xunit runs a class's tests one at a time) and resets it first.</summary>
public class MemoryManagerTests : IDisposable
{
    public MemoryManagerTests() => MemoryManager.ResetForTests();

    public void Dispose() => MemoryManager.ResetForTests();

    [Fact]
    public void Init_stores_the_offset_and_maps_through_the_table_CR3_names()
    {
        using PagingFixture f = new();
        // PWT and PCD bits in CR3 are not part of the table address.
        f.Hardware.Cr3 = Level4Address | 0x18;
        f.Mapper.MapTo(PageAt(0x4000_0000), Frame(DataBase), PageTableFlags.Present, f.Allocator);

        OffsetPageTable mapper = MemoryManager.Init(f.Memory.Offset, f.Hardware).Value;
        Assert.True(MemoryManager.IsInitialized);
        Assert.Equal(f.Memory.Offset, MemoryManager.PhysicalMemoryOffset);
        Assert.Equal(Level4Address, mapper.Level4Frame.StartAddress.Value);
        Assert.Equal(DataBase + 0x42, mapper.TranslateAddr(Virt(0x4000_0042)).Value.Value);
    }

    [Fact]
    public void A_second_Init_is_refused_and_keeps_the_first_offset()
    {
        using PagingFixture f = new();
        Assert.True(MemoryManager.Init(f.Memory.Offset, f.Hardware).IsOk);
        Result<OffsetPageTable, InitError> again = MemoryManager.Init(f.Memory.Offset + 0x1000, f.Hardware);
        Assert.Equal(InitError.AlreadyInitialized, again.Error);
        Assert.Equal(f.Memory.Offset, MemoryManager.PhysicalMemoryOffset);
    }

    [Theory]
    [InlineData(0xFFFF_8000_0000_0010UL)]
    [InlineData(0x0000_8000_0000_0000UL)]
    public void Init_refuses_an_unaligned_or_non_canonical_offset(ulong offset)
    {
        SimulatedPagingHardware hardware = new(Level4Address);
        Assert.Equal(InitError.InvalidOffset, MemoryManager.Init(offset, hardware).Error);
        Assert.False(MemoryManager.IsInitialized);
        Assert.Equal(0UL, MemoryManager.PhysicalMemoryOffset);
    }

    [Fact]
    public unsafe void ActiveLevel4Table_points_into_the_offset_map()
    {
        using PagingFixture f = new();
        PageTable* table = MemoryManager.ActiveLevel4Table(f.Memory.Offset, f.Hardware);
        Assert.Equal(f.Memory.Offset + Level4Address, (ulong)table);
    }
}
