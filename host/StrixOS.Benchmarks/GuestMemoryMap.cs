using System;
using System.Collections.Generic;
using StrixOS.Memory;

namespace StrixOS.Benchmarks;

/// <summary>
/// A realistic memory map of a 512 MiB guest: the PC's low-memory holes, the kernel image and boot data
/// carved out of low RAM, firmware and ACPI ranges below 4 GiB, and the rest of RAM above 4 GiB, sized so
/// that exactly <see cref="UsableFrames"/> frames are Usable.
/// </summary>
public static class GuestMemoryMap
{
    public const int UsableFrames = 131072; // 512 MiB

    private const ulong MiB = 1024 * 1024;
    private const ulong FourGiB = 4096 * MiB;

    public static MemoryRegion[] Create()
    {
        List<MemoryRegion> regions = new()
        {
            new(0, 0x1000, MemoryRegionType.Reserved),
            new(0x1000, 0x9F000, MemoryRegionType.Usable),
            new(0x9F000, 0x100000, MemoryRegionType.Reserved),
            new(0x100000, 0x300000, MemoryRegionType.Kernel),
            new(0x300000, 0x308000, MemoryRegionType.BootPageTables),
            new(0x308000, 0x309000, MemoryRegionType.BootInformation),
            new(0x309000, 64 * MiB, MemoryRegionType.Usable),
            new(64 * MiB, 64 * MiB + 0x10000, MemoryRegionType.Module),
            new(64 * MiB + 0x10000, 256 * MiB, MemoryRegionType.Usable),
            new(256 * MiB, 256 * MiB + 0x4000, MemoryRegionType.BootloaderReclaimable),
            new(256 * MiB + 0x4000, 511 * MiB, MemoryRegionType.Usable),
            new(511 * MiB, 512 * MiB, MemoryRegionType.AcpiReclaimable),
            new(0xFEFFC000, 0xFF000000, MemoryRegionType.Reserved),
            new(0xFFFC0000, FourGiB, MemoryRegionType.Reserved),
        };
        ulong usable = 0;
        foreach (MemoryRegion region in regions)
        {
            if (region.Type == MemoryRegionType.Usable)
                usable += region.Size / 0x1000;
        }
        // The rest of RAM lies above 4 GiB, as QEMU places memory that does not fit below the PCI hole.
        ulong missing = UsableFrames - usable;
        regions.Add(new MemoryRegion(FourGiB, FourGiB + missing * 0x1000, MemoryRegionType.Usable));
        MemoryRegion[] result = regions.ToArray();
        if (Normalized(result).TotalUsableBytes != UsableFrames * 0x1000)
            throw new InvalidOperationException("the guest map must hold exactly 512 MiB of usable frames");
        return result;
    }

    /// <summary>The normalised map of <paramref name="regions"/> (what the boot allocator takes).</summary>
    public static MemoryMap Normalized(MemoryRegion[] regions)
        => MemoryMapNormalizer.Normalize(regions, ReadOnlySpan<MemoryRegion>.Empty).Value;
}
