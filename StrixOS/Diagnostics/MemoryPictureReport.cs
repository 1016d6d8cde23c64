using StrixOS.Boot;
using StrixOS.Boot.Stage;
using StrixOS.Memory;
using StrixOS.Plugs;

namespace StrixOS.Diagnostics;

/// <summary>
/// With <c>strix.memmap</c> on the command line the kernel prints its memory picture as
/// machine-readable lines for `./strix memmap` (StrixOS.Tests/Kit/MemoryPicture.cs draws them):
/// <code>
/// #memmap begin 1
/// #memmap region START END TYPE          (normalised map, hex, END exclusive)
/// #memmap tables L4 L3 L2 L1             (page tables in the live hierarchy)
/// #memmap mapped BYTES_4K BYTES_2M BYTES_1G
/// #memmap end
/// </code>
/// </summary>
public static unsafe class MemoryPictureReport
{
    public static void Print(BootInfo boot)
    {
        KernelLog.Raw("#memmap begin 1");
        foreach (MemoryRegion region in boot.MemoryMap.Regions)
            KernelLog.Raw($"#memmap region {region.Start:x} {region.End:x} {MemoryMapFormatter.TypeName(region.Type).Trim()}");
        var statistics = new PageTableStatistics();
        statistics.Walk(X64.ReadCr3() & 0x000F_FFFF_FFFF_F000, level: 4);
        KernelLog.Raw($"#memmap tables {statistics.Tables[4]} {statistics.Tables[3]} {statistics.Tables[2]} {statistics.Tables[1]}");
        KernelLog.Raw($"#memmap mapped {statistics.Mapped4K} {statistics.Mapped2M} {statistics.Mapped1G}");
        KernelLog.Raw("#memmap end");
    }

    /// <summary>Counts tables and leaf mappings by walking raw entries through the offset map.</summary>
    private sealed class PageTableStatistics
    {
        private const ulong Present = 1, Huge = 1 << 7, AddressMask = 0x000F_FFFF_FFFF_F000;
        public readonly ulong[] Tables = new ulong[5];
        public ulong Mapped4K, Mapped2M, Mapped1G;

        public void Walk(ulong tablePhysical, int level)
        {
            Tables[level]++;
            ulong* entries = (ulong*)(BootLayout.PhysicalMemoryOffset + tablePhysical);
            for (int i = 0; i < 512; i++)
            {
                ulong entry = entries[i];
                if ((entry & Present) == 0)
                    continue;
                if (level == 1)
                    Mapped4K += 4096;
                else if (level == 2 && (entry & Huge) != 0)
                    Mapped2M += 2UL << 20;
                else if (level == 3 && (entry & Huge) != 0)
                    Mapped1G += 1UL << 30;
                else if (level > 1)
                    Walk(entry & AddressMask, level - 1);
            }
        }
    }
}
