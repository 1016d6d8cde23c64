using StrixOS.Diagnostics;
using StrixOS.Memory;
using StrixOS.Plugs;

namespace StrixOS.Boot.Stage;

/// <summary>What a normal boot prints: the normalised memory map and the paging set-up.</summary>
public static unsafe class BootReport
{
    public static void Print(BootInfo boot)
    {
        PrintMemory(boot);
        PrintPaging();
    }

    /// <summary>The boot loader, the memory map and its totals.</summary>
    public static void PrintMemory(BootInfo boot)
    {
        KernelLog.Info($"boot loader: {boot.BootLoaderName}; command line: '{boot.CommandLine}'");
        string source = boot.MemoryMapSource == MemoryMapSource.EfiMmap ? "EFI memory map, tag 17" : "multiboot2 memory map, tag 6";
        KernelLog.Info($"memory map ({source}; normalised, {boot.MemoryMap.Count} regions):");
        ulong ram = 0;
        foreach (MemoryRegion region in boot.MemoryMap.Regions)
        {
            KernelLog.Raw("  " + MemoryMapFormatter.FormatRegion(region));
            if (region.Type != MemoryRegionType.Reserved)
                ram += region.Size;
        }
        KernelLog.Info($"memory: {MemoryMapFormatter.FormatSize(ram)} RAM in the map ({ram} bytes), " +
                       $"{MemoryMapFormatter.FormatSize(boot.MemoryMap.TotalUsableBytes)} usable ({boot.MemoryMap.TotalUsableBytes} bytes)");
    }

    /// <summary>The offset map and the kernel's page tables as the boot stage left them.</summary>
    public static void PrintPaging()
    {
        BootLayout* layout = BootLayout.Current;
        KernelLog.Info($"PHYS_MEM_OFFSET = {Hex.Format(BootLayout.PhysicalMemoryOffset)}: " +
                       $"{layout->OffsetMapBytes >> 30} GiB of physical memory mapped with {(layout->Uses1GiBPages != 0 ? "1 GiB" : "2 MiB")} pages, NX");
        if (layout->RamEnd > layout->OffsetMapBytes)
            KernelLog.Warning($"RAM ends at {Hex.Format(layout->RamEnd)}, beyond the offset map: the memory above is left out of the map");
        KernelLog.Info($"CR3 = {Hex.Format(X64.ReadCr3())}; kernel image {Hex.Format(layout->KernelPhysicalStart)}-{Hex.Format(layout->KernelPhysicalEnd)} " +
                       $"at {Hex.Format(layout->KernelVirtualStart)}; stack guard page {Hex.Format(layout->StackGuard)}");
    }
}
