using StrixOS.Diagnostics;
using StrixOS.Memory;
using StrixOS.Plugs;
using StrixOS.Text;

namespace StrixOS.Boot.Stage;

/// <summary>
/// What a normal boot prints: the normalised memory map and the paging set-up. The lines are built with
/// <see cref="LineBuilder"/> (not string interpolation) so a boot translates less code that runs once.
/// </summary>
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
        var line = new LineBuilder(stackalloc char[LineBuilder.LineLength]);
        line.Append("boot loader: ");
        line.Append(boot.BootLoaderName);
        line.Append("; command line: '");
        line.Append(boot.CommandLine);
        line.Append('\'');
        KernelLog.Info(line.Written);

        line.Clear();
        line.Append("memory map (");
        line.Append(boot.MemoryMapSource == MemoryMapSource.EfiMmap ? "EFI memory map, tag 17" : "multiboot2 memory map, tag 6");
        line.Append("; normalised, ");
        line.Decimal(boot.MemoryMap.Count);
        line.Append(" regions):");
        KernelLog.Info(line.Written);

        System.Span<char> region = stackalloc char[2 + MemoryMapFormatter.MaxLineLength];
        region[0] = ' ';
        region[1] = ' ';
        ulong ram = 0;
        foreach (MemoryRegion entry in boot.MemoryMap.Regions)
        {
            MemoryMapFormatter.TryFormatRegion(entry, region.Slice(2), out int written);
            KernelLog.Raw(region.Slice(0, 2 + written));
            if (entry.Type != MemoryRegionType.Reserved)
                ram += entry.Size;
        }

        ulong usable = boot.MemoryMap.TotalUsableBytes;
        line.Clear();
        line.Append("memory: ");
        line.Size(ram);
        line.Append(" RAM in the map (");
        line.Decimal(ram);
        line.Append(" bytes), ");
        line.Size(usable);
        line.Append(" usable (");
        line.Decimal(usable);
        line.Append(" bytes)");
        KernelLog.Info(line.Written);
    }

    /// <summary>The offset map and the kernel's page tables as the boot stage left them.</summary>
    public static void PrintPaging()
    {
        BootLayout* layout = BootLayout.Current;
        var line = new LineBuilder(stackalloc char[LineBuilder.LineLength]);
        line.Append("PHYS_MEM_OFFSET = ");
        line.Hex16(BootLayout.PhysicalMemoryOffset);
        line.Append(": ");
        line.Decimal(layout->OffsetMapBytes >> 30);
        line.Append(" GiB of physical memory mapped with ");
        line.Append(layout->Uses1GiBPages != 0 ? "1 GiB" : "2 MiB");
        line.Append(" pages, NX");
        KernelLog.Info(line.Written);

        if (layout->RamEnd > layout->OffsetMapBytes)
        {
            line.Clear();
            line.Append("RAM ends at ");
            line.Hex16(layout->RamEnd);
            line.Append(", beyond the offset map: the memory above is left out of the map");
            KernelLog.Warning(line.Written);
        }

        line.Clear();
        line.Append("CR3 = ");
        line.Hex16(X64.ReadCr3());
        line.Append("; kernel image ");
        line.Hex16(layout->KernelPhysicalStart);
        line.Append('-');
        line.Hex16(layout->KernelPhysicalEnd);
        line.Append(" at ");
        line.Hex16(layout->KernelVirtualStart);
        line.Append("; stack guard page ");
        line.Hex16(layout->StackGuard);
        KernelLog.Info(line.Written);
    }
}
