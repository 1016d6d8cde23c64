using System.Runtime.CompilerServices;
using StrixOS.Memory;
using Xunit;

namespace StrixOS.Tests.Memory;

public class PageTableEntryTests
{
    [Fact]
    public void FlagsSitAtTheirArchitecturalBits()
    {
        Assert.Equal(1UL, (ulong)PageTableFlags.Present);
        Assert.Equal(1UL << 1, (ulong)PageTableFlags.Writable);
        Assert.Equal(1UL << 2, (ulong)PageTableFlags.UserAccessible);
        Assert.Equal(1UL << 3, (ulong)PageTableFlags.WriteThrough);
        Assert.Equal(1UL << 4, (ulong)PageTableFlags.NoCache);
        Assert.Equal(1UL << 5, (ulong)PageTableFlags.Accessed);
        Assert.Equal(1UL << 6, (ulong)PageTableFlags.Dirty);
        Assert.Equal(1UL << 7, (ulong)PageTableFlags.HugePage);
        Assert.Equal(1UL << 8, (ulong)PageTableFlags.Global);
        Assert.Equal(1UL << 11, (ulong)PageTableFlags.Bit11);
        Assert.Equal(1UL << 52, (ulong)PageTableFlags.Bit52);
        Assert.Equal(1UL << 62, (ulong)PageTableFlags.Bit62);
        Assert.Equal(1UL << 63, (ulong)PageTableFlags.NoExecute);
    }

    [Fact]
    public void EntryKeepsAddressAndFlagsApart()
    {
        PageTableEntry entry = default;
        Assert.True(entry.IsUnused);
        PageTableFlags flags = PageTableFlags.Present | PageTableFlags.Writable | PageTableFlags.NoExecute | PageTableFlags.Bit52 | PageTableFlags.Bit9;
        entry.SetAddress(PhysAddr.TryNew(0x000F_FFFF_FFFF_F000).Value, flags);
        Assert.Equal(0x000F_FFFF_FFFF_F000UL, entry.Address.Value);
        Assert.Equal(flags, entry.Flags);
        entry.SetFlags(PageTableFlags.Present);
        Assert.Equal(0x000F_FFFF_FFFF_F000UL, entry.Address.Value);
        Assert.Equal(PageTableFlags.Present, entry.Flags);
        entry.SetUnused();
        Assert.Equal(0UL, entry.Raw);
    }

    [Fact]
    public void FrameOfAnEntryReportsAbsentAndHugeEntries()
    {
        PageTableEntry entry = default;
        Assert.Equal(FrameError.FrameNotPresent, entry.Frame.Error);
        entry.SetFrame(PhysFrame.TryFromStartAddress(PhysAddr.TryNew(0x5000).Value).Value, PageTableFlags.Present);
        Assert.Equal(0x5000UL, entry.Frame.Value.StartAddress.Value);
        entry.SetFrame(PhysFrame.TryFromStartAddress(PhysAddr.TryNew(0x200000).Value, PageSize.Size2MiB).Value, PageTableFlags.Present);
        Assert.True((entry.Flags & PageTableFlags.HugePage) != 0);
        Assert.Equal(FrameError.HugeFrame, entry.Frame.Error);
    }

    [Fact]
    public unsafe void PageTableIs512EntriesIn4KiB()
    {
        Assert.Equal(4096, Unsafe.SizeOf<PageTable>());
        using SimulatedPhysicalMemory memory = new(0x2000);
        ref PageTable table = ref memory.TableAt(PhysAddr.TryNew(0x1000).Value);
        table.Zero();
        Assert.True(table.IsEmpty);
        table[PageTableIndex.TryNew(511).Value].SetAddress(PhysAddr.TryNew(0x7000).Value, PageTableFlags.Present);
        Assert.False(table.IsEmpty);
        // Entry 511 is the last 8 bytes of the frame.
        Assert.Equal(0x7001UL, *(ulong*)memory.Pointer(PhysAddr.TryNew(0x1000 + 511 * 8).Value));
        Assert.Equal(512, table.AsSpan().Length);
    }
}
