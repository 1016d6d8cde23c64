using System;

namespace StrixOS.Memory;

/// <summary>What a range of physical memory is. Only <see cref="Usable"/> may be handed out by a frame allocator.</summary>
public enum MemoryRegionType : byte
{
    Usable,
    /// <summary>Used by something the kernel must keep (generic).</summary>
    InUse,
    Reserved,
    AcpiReclaimable,
    AcpiNvs,
    BadMemory,
    /// <summary>Boot-loader data (EFI boot services) that is free once the kernel no longer reads it.</summary>
    BootloaderReclaimable,
    /// <summary>The kernel image (text, data, BSS, boot stack).</summary>
    Kernel,
    /// <summary>Page tables built by the boot stage.</summary>
    BootPageTables,
    /// <summary>The multiboot2 information structure.</summary>
    BootInformation,
    /// <summary>A boot module loaded by GRUB.</summary>
    Module,
}

/// <summary>A half-open physical range [Start, End) of one type.</summary>
public readonly struct MemoryRegion
{
    public readonly ulong Start;
    public readonly ulong End;
    public readonly MemoryRegionType Type;

    public MemoryRegion(ulong start, ulong end, MemoryRegionType type)
    {
        Start = start;
        End = end;
        Type = type;
    }

    public ulong Size => End - Start;
}

/// <summary>
/// A normalised physical memory map: regions sorted by address, non-overlapping, 4 KiB aligned, adjacent
/// regions of one type merged. Built only by <see cref="MemoryMapNormalizer"/>, which guarantees that every
/// frame in a Usable region is really free.
/// </summary>
public sealed class MemoryMap
{
    /// <summary>The most regions a normalised map may hold; the normaliser reports an error beyond it.</summary>
    public const int MaxRegions = 512;

    private readonly MemoryRegion[] _regions;

    internal MemoryMap(MemoryRegion[] regions)
    {
        _regions = regions;
        ulong usable = 0;
        ulong total = 0;
        for (int i = 0; i < regions.Length; i++)
        {
            total += regions[i].Size;
            if (regions[i].Type == MemoryRegionType.Usable)
                usable += regions[i].Size;
        }
        TotalUsableBytes = usable;
        TotalBytes = total;
        HighestAddress = regions.Length == 0 ? 0 : regions[regions.Length - 1].End;
    }

    public ReadOnlySpan<MemoryRegion> Regions => _regions;

    public int Count => _regions.Length;

    public ulong TotalUsableBytes { get; }

    /// <summary>Sum of the sizes of all regions, whatever their type (holes not counted).</summary>
    public ulong TotalBytes { get; }

    /// <summary>Exclusive end of the highest region (0 for an empty map).</summary>
    public ulong HighestAddress { get; }

    /// <summary>Finds the region holding <paramref name="address"/> (binary search); false in a hole.</summary>
    public bool TryFindRegion(ulong address, out MemoryRegion region)
    {
        int low = 0;
        int high = _regions.Length - 1;
        while (low <= high)
        {
            int middle = low + ((high - low) >> 1);
            MemoryRegion candidate = _regions[middle];
            if (address < candidate.Start)
                high = middle - 1;
            else if (address >= candidate.End)
                low = middle + 1;
            else
            {
                region = candidate;
                return true;
            }
        }
        region = default;
        return false;
    }
}
