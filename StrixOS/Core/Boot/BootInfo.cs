using System;
using System.Diagnostics.CodeAnalysis;
using StrixOS.Memory;

namespace StrixOS.Boot;

/// <summary>
/// Everything the kernel takes from the boot loader, with the memory map normalised so a frame allocator can
/// trust it (see <see cref="MemoryMapNormalizer"/>).
/// </summary>
public sealed class BootInfo
{
    private readonly Multiboot2Info _parsed;

    private BootInfo(Multiboot2Info parsed, MemoryMap memoryMap, ulong informationAddress, ulong physicalMemoryOffset)
    {
        _parsed = parsed;
        MemoryMap = memoryMap;
        InformationAddress = informationAddress;
        PhysicalMemoryOffset = physicalMemoryOffset;
    }

    public MemoryMap MemoryMap { get; }

    /// <summary>Where all physical memory is mapped: physical address p is at virtual PhysicalMemoryOffset + p.</summary>
    public ulong PhysicalMemoryOffset { get; }

    /// <summary>Physical address of the multiboot2 information structure.</summary>
    public ulong InformationAddress { get; }

    public uint InformationSize => _parsed.TotalSize;

    /// <summary>The kernel's command line ("" if none).</summary>
    public string CommandLine => _parsed.CommandLine;

    public string BootLoaderName => _parsed.BootLoaderName;

    public ReadOnlySpan<BootModule> Modules => _parsed.Modules;

    /// <summary>Physical address of the RSDP copy inside the information structure (0 if none). It stays valid
    /// while the BootInformation region is kept; <see cref="Rsdp"/> is a copy that needs nothing kept.</summary>
    public ulong RsdpAddress => _parsed.HasRsdp ? InformationAddress + _parsed.RsdpOffset : 0;

    /// <summary>The RSDP's Revision byte: 0 for ACPI 1.0, 2 or more for ACPI 2.0+ (meaningless without an RSDP).</summary>
    public byte RsdpRevision => _parsed.RsdpRevision;

    public ReadOnlySpan<byte> Rsdp => _parsed.Rsdp;

    public MemoryMapSource MemoryMapSource => _parsed.MemoryMapSource;

    /// <summary>The firmware's map before normalisation, for the boot report.</summary>
    public ReadOnlySpan<MemoryRegion> FirmwareMemoryMap => _parsed.FirmwareMemoryMap;

    public BasicMemoryInfo? BasicMemoryInfo => _parsed.BasicMemoryInfo;

    /// <summary>GRUB left EFI boot services running (tag 18); their memory is then BootloaderReclaimable.</summary>
    public bool EfiBootServicesActive => _parsed.EfiBootServicesActive;

    /// <inheritdoc cref="Create(ReadOnlySpan{byte}, ulong, ReadOnlySpan{MemoryRegion}, ulong, ulong)"/>
    public static Result<BootInfo, BootInfoError> Create(
        ReadOnlySpan<byte> information,
        ulong informationAddress,
        ReadOnlySpan<MemoryRegion> kernelReservedRanges,
        ulong physicalMemoryOffset)
        => Create(information, informationAddress, kernelReservedRanges, physicalMemoryOffset, MemoryMapNormalizer.MaxPhysicalAddress);

    /// <summary>
    /// Parses the multiboot2 information and normalises its memory map. The ranges the kernel passes (its
    /// image, the boot page tables) are kept out of Usable memory, and so, added here, are the information
    /// structure itself (BootInformation) and every module (Module).
    /// </summary>
    /// <param name="information">The structure's bytes: exactly total_size (see
    /// <see cref="Multiboot2.TryGetTotalSize"/>).</param>
    /// <param name="informationAddress">The structure's physical address (EBX at entry).</param>
    /// <param name="kernelReservedRanges">Ranges the kernel keeps out of Usable memory.</param>
    /// <param name="physicalMemoryOffset">PHYS_MEM_OFFSET, recorded in the result.</param>
    /// <param name="addressLimit">Memory at or above this physical address is left out of the map.</param>
    public static Result<BootInfo, BootInfoError> Create(
        ReadOnlySpan<byte> information,
        ulong informationAddress,
        ReadOnlySpan<MemoryRegion> kernelReservedRanges,
        ulong physicalMemoryOffset,
        ulong addressLimit)
    {
        Result<Multiboot2Info, BootInfoError> parsing = Multiboot2.Parse(information);
        if (parsing.TryGetError(out BootInfoError parseError))
            return parseError;
        Multiboot2Info parsed = parsing.Value;

        ReadOnlySpan<BootModule> modules = parsed.Modules;
        var reserved = new MemoryRegion[kernelReservedRanges.Length + modules.Length + 1];
        kernelReservedRanges.CopyTo(reserved);
        int count = kernelReservedRanges.Length;
        for (int i = 0; i < modules.Length; i++)
            reserved[count++] = new MemoryRegion(modules[i].Start, modules[i].End, MemoryRegionType.Module);
        reserved[count] = new MemoryRegion(informationAddress, informationAddress + parsed.TotalSize, MemoryRegionType.BootInformation);

        ReadOnlySpan<MemoryRegion> firmware = parsed.FirmwareMemoryMap;
        BootInfoError overlap = FindKernelOverFirmwareMemory(kernelReservedRanges, firmware);
        if (!overlap.IsNone)
            return overlap;
        Result<MemoryMap, MemoryMapError> normalized = MemoryMapNormalizer.Normalize(firmware, reserved, addressLimit);
        if (normalized.TryGetError(out MemoryMapError mapError))
            return FromMemoryMapError(mapError, firmware.Length + reserved.Length, addressLimit);
        MemoryMap map = normalized.Value;
        if (map.TotalUsableBytes == 0)
            return new BootInfoError(BootInfoErrorKind.NoUsableMemory, value: (ulong)firmware.Length);
        return new BootInfo(parsed, map, informationAddress, physicalMemoryOffset);
    }

    /// <summary>
    /// The kernel's own ranges were placed by the boot loader (the image at its link address) or by the boot
    /// stage: where one overlaps a firmware entry that is neither free nor boot-loader memory (ACPI NVS, ACPI
    /// tables, reserved), the firmware's memory was already overwritten, and the normaliser would hide it (the
    /// firmware's type wins the overlap). The first such overlap, or no error.
    /// </summary>
    private static BootInfoError FindKernelOverFirmwareMemory(ReadOnlySpan<MemoryRegion> kernelRanges, ReadOnlySpan<MemoryRegion> firmware)
    {
        for (int k = 0; k < kernelRanges.Length; k++)
        {
            MemoryRegion kernel = kernelRanges[k];
            for (int f = 0; f < firmware.Length; f++)
            {
                MemoryRegion entry = firmware[f];
                if (entry.Type is MemoryRegionType.Usable or MemoryRegionType.BootloaderReclaimable)
                    continue;
                ulong start = Math.Max(kernel.Start, entry.Start);
                ulong end = Math.Min(kernel.End, entry.End);
                if (start < end)
                    return new BootInfoError(BootInfoErrorKind.KernelOverlapsFirmwareMemory, tagType: (uint)entry.Type, value: start, limit: end);
            }
        }
        return default;
    }

    private static BootInfoError FromMemoryMapError(MemoryMapError error, int inputCount, ulong addressLimit) => error switch
    {
        MemoryMapError.InvertedRange => new BootInfoError(BootInfoErrorKind.InvertedReservedRange),
        MemoryMapError.ReservedRangeMarkedUsable => new BootInfoError(BootInfoErrorKind.ReservedRangeMarkedUsable),
        MemoryMapError.TooManyInputRegions => new BootInfoError(BootInfoErrorKind.TooManyInputRegions, value: (ulong)inputCount, limit: MemoryMapNormalizer.MaxInputRegions),
        MemoryMapError.TooManyRegions => new BootInfoError(BootInfoErrorKind.TooManyRegions, limit: MemoryMap.MaxRegions),
        MemoryMapError.BadAddressLimit => new BootInfoError(BootInfoErrorKind.BadAddressLimit, value: addressLimit),
        // Unreachable: the normaliser reports None only when it succeeds.
        _ => new BootInfoError(BootInfoErrorKind.None),
    };
}
