namespace StrixOS.Boot;

/// <summary>What is wrong with the multiboot2 information or the memory map built from it.</summary>
public enum BootInfoErrorKind : byte
{
    None,
    /// <summary>The pointer to the information structure is null.</summary>
    NullPointer,
    /// <summary>The information structure is not 8-byte aligned.</summary>
    MisalignedInfo,
    /// <summary>Fewer bytes than a header and an end tag (16).</summary>
    TooSmall,
    /// <summary>total_size is above <see cref="Multiboot2.MaxTotalSize"/> (or would wrap the address space).</summary>
    TotalSizeTooLarge,
    /// <summary>total_size is larger than the bytes given to the parser.</summary>
    Truncated,
    /// <summary>The tags reach total_size without an end tag.</summary>
    MissingEndTag,
    /// <summary>A tag's size runs past total_size.</summary>
    TagPastEnd,
    /// <summary>A tag's size is below 8 or below what its type needs.</summary>
    TagTooSmall,
    /// <summary>The end tag's size is not 8.</summary>
    BadEndTag,
    /// <summary>Two memory map tags of one type.</summary>
    DuplicateMemoryMap,
    /// <summary>Neither a memory map tag (6) nor an EFI memory map tag (17).</summary>
    NoMemoryMap,
    /// <summary>A memory map's entry (or EFI descriptor) size is below the structure it must hold.</summary>
    BadEntrySize,
    /// <summary>A memory map tag's entries are not a whole number of entries.</summary>
    PartialEntry,
    /// <summary>More memory map entries than <see cref="Multiboot2.MaxMemoryMapEntries"/>.</summary>
    TooManyMemoryMapEntries,
    /// <summary>A module ends before it starts.</summary>
    InvertedModule,
    /// <summary>More modules than <see cref="Multiboot2.MaxModules"/>.</summary>
    TooManyModules,
    /// <summary>An ACPI RSDP tag does not hold a valid RSDP (signature, checksum or length).</summary>
    BadRsdp,
    /// <summary>EFI boot services still run (tag 18) and no EFI memory map (tag 17) tells their memory apart.</summary>
    BootServicesNotExited,
    /// <summary>No Usable memory is left after normalisation.</summary>
    NoUsableMemory,
    /// <summary>The normalised map needs more than <see cref="Memory.MemoryMap.MaxRegions"/> regions.</summary>
    TooManyRegions,
    /// <summary>More raw regions plus reserved ranges than the normaliser accepts.</summary>
    TooManyInputRegions,
    /// <summary>A range the kernel reserves ends before it starts.</summary>
    InvertedReservedRange,
    /// <summary>A range the kernel reserves has type Usable.</summary>
    ReservedRangeMarkedUsable,
    /// <summary>The address limit given for the map is zero, above 2^52 or not 4 KiB aligned.</summary>
    BadAddressLimit,
    /// <summary>A range the kernel occupies (its image, boot tables or stack) overlaps memory the firmware's map
    /// gives another type than free or boot-loader memory: the boot loader put the kernel over firmware memory.</summary>
    KernelOverlapsFirmwareMemory,
}
