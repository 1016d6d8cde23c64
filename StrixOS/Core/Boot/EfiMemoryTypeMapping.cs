using StrixOS.Memory;

namespace StrixOS.Boot;

/// <summary>How an EFI memory descriptor becomes a <see cref="MemoryRegionType"/>. Anything not known to be
/// free memory is kept from the frame allocator.</summary>
public static class EfiMemoryTypeMapping
{
    /// <summary>EFI_MEMORY_RUNTIME: the firmware needs this memory at run time, whatever its type.</summary>
    public const ulong RuntimeAttribute = 1UL << 63;
    /// <summary>EFI_MEMORY_SP: specific-purpose memory, not for general allocation.</summary>
    public const ulong SpecificPurposeAttribute = 1UL << 18;

    /// <param name="efiType">The descriptor's EFI_MEMORY_TYPE.</param>
    /// <param name="attribute">The descriptor's attribute bits (<see cref="RuntimeAttribute"/>, <see cref="SpecificPurposeAttribute"/>).</param>
    /// <param name="bootServicesActive">Tag 18 was present: GRUB did not exit boot services, so their memory
    /// is still in use.</param>
    public static MemoryRegionType ToRegionType(uint efiType, ulong attribute, bool bootServicesActive)
    {
        if ((attribute & RuntimeAttribute) != 0)
            return MemoryRegionType.Reserved;
        switch ((EfiMemoryType)efiType)
        {
            case EfiMemoryType.ConventionalMemory:
                return (attribute & SpecificPurposeAttribute) != 0 ? MemoryRegionType.Reserved : MemoryRegionType.Usable;
            case EfiMemoryType.BootServicesCode:
            case EfiMemoryType.BootServicesData:
                // GRUB exits boot services before jumping to a multiboot2 kernel unless tag 18 says otherwise.
                return bootServicesActive ? MemoryRegionType.BootloaderReclaimable : MemoryRegionType.Usable;
            case EfiMemoryType.LoaderCode:
            case EfiMemoryType.LoaderData:
                // GRUB's own allocations: it may have left data (the information structure) there.
                return MemoryRegionType.BootloaderReclaimable;
            case EfiMemoryType.AcpiReclaimMemory:
                return MemoryRegionType.AcpiReclaimable;
            case EfiMemoryType.AcpiMemoryNvs:
                return MemoryRegionType.AcpiNvs;
            case EfiMemoryType.UnusableMemory:
                return MemoryRegionType.BadMemory;
            default:
                // Runtime services, MMIO, PAL code, persistent and unaccepted memory, reserved and unknown types.
                return MemoryRegionType.Reserved;
        }
    }
}
