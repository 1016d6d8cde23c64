using StrixOS.Boot.Stage;
using StrixOS.Memory;
using StrixOS.Testing;

namespace StrixOS.KernelTests;

/// <summary>What the boot stage and BootInfo promise about this boot.</summary>
public static unsafe partial class BootTests
{
    [KernelTest]
    private static void MemoryMapIsSortedAlignedAndDisjoint(TestContext t)
    {
        var regions = KernelTestSuites.Kernel.BootInfo.MemoryMap.Regions;
        t.True(regions.Length > 0, "empty memory map");
        for (int i = 0; i < regions.Length; i++)
        {
            MemoryRegion r = regions[i];
            if (!t.True(r.Start < r.End && (r.Start & 0xFFF) == 0 && (r.End & 0xFFF) == 0, $"region {i} malformed: {r.Start:x}-{r.End:x}"))
                return;
            if (i > 0 && !t.True(regions[i - 1].End <= r.Start, $"regions {i - 1} and {i} overlap or are unsorted"))
                return;
        }
    }

    [KernelTest]
    private static void KernelImageAndBootTablesAreNeverUsable(TestContext t)
    {
        BootLayout* layout = BootLayout.Current;
        foreach (MemoryRegion r in KernelTestSuites.Kernel.BootInfo.MemoryMap.Regions)
        {
            if (r.Type != MemoryRegionType.Usable)
                continue;
            t.True(r.End <= layout->KernelPhysicalStart || r.Start >= layout->KernelPhysicalEnd, $"Usable {r.Start:x}-{r.End:x} overlaps the kernel image");
            t.True(r.End <= layout->BootTablesPhysicalStart || r.Start >= layout->BootTablesPhysicalEnd, $"Usable {r.Start:x}-{r.End:x} overlaps the boot page tables");
            t.True(r.Start >= 0x1000, "frame 0 is Usable");
        }
    }

    [KernelTest]
    private static void OffsetMapCoversAllRam(TestContext t)
    {
        BootLayout* layout = BootLayout.Current;
        ulong highest = 0;
        foreach (MemoryRegion r in KernelTestSuites.Kernel.BootInfo.MemoryMap.Regions)
        {
            if (r.Type != MemoryRegionType.Reserved && r.End > highest)
                highest = r.End;
        }
        t.True(highest <= layout->OffsetMapBytes, $"RAM ends at {highest:x}, offset map covers {layout->OffsetMapBytes:x}");
    }

    [KernelTest]
    private static void IdentityMapIsGoneAndNullPageUnmapped(TestContext t)
    {
        OffsetPageTable tables = KernelTestSuites.Kernel.PageTable;
        t.True(tables.Translate(VirtAddr.Zero).IsError, "virtual address 0 is mapped");
        t.True(tables.Translate(VirtAddr.NewTruncate(0x100000)).IsError, "the boot identity map (1 MiB) is still mapped");
        t.Equal(0ul, tables.Level4Table[PageTableIndex.NewTruncate(0)].Raw);
    }
}
