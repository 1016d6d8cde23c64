namespace StrixOS.Boot;

/// <summary>
/// A boot-information error as a value: the kind plus where it was found (byte offset into the information
/// structure and tag type, when a tag is at fault) and the two numbers its message needs
/// (<see cref="Value"/>: the offending number; <see cref="Limit"/>: what it was checked against).
/// </summary>
public readonly struct BootInfoError
{
    public readonly BootInfoErrorKind Kind;
    public readonly uint TagType;
    public readonly uint Offset;
    public readonly ulong Value;
    public readonly ulong Limit;

    public BootInfoError(BootInfoErrorKind kind, uint tagType = 0, uint offset = 0, ulong value = 0, ulong limit = 0)
    {
        Kind = kind;
        TagType = tagType;
        Offset = offset;
        Value = value;
        Limit = limit;
    }

    public bool IsNone => Kind == BootInfoErrorKind.None;

    public override string ToString() => Describe();

    /// <summary>One line of plain English for the kernel's panic message.</summary>
    public string Describe() => Kind switch
    {
        BootInfoErrorKind.None => "no error",
        BootInfoErrorKind.NullPointer => "multiboot2: the boot information pointer is null",
        BootInfoErrorKind.MisalignedInfo => $"multiboot2: the boot information at 0x{Value:x} is not 8-byte aligned",
        BootInfoErrorKind.TooSmall => $"multiboot2: the boot information is {Value} bytes, less than the {Limit} a header and an end tag need",
        BootInfoErrorKind.TotalSizeTooLarge => $"multiboot2: total_size {Value} exceeds the limit of {Limit} bytes",
        BootInfoErrorKind.Truncated => $"multiboot2: total_size {Value} is larger than the {Limit} bytes available",
        BootInfoErrorKind.MissingEndTag => $"multiboot2: no end tag before total_size {Limit} (next tag would start at offset 0x{Offset:x})",
        BootInfoErrorKind.TagPastEnd => $"multiboot2: tag type {TagType} at offset 0x{Offset:x} has size {Value}, running past total_size {Limit}",
        BootInfoErrorKind.TagTooSmall => $"multiboot2: tag type {TagType} at offset 0x{Offset:x} has size {Value}, less than the {Limit} bytes it needs",
        BootInfoErrorKind.BadEndTag => $"multiboot2: end tag at offset 0x{Offset:x} has size {Value}, expected 8",
        BootInfoErrorKind.DuplicateMemoryMap => $"multiboot2: a second memory map tag of type {TagType} at offset 0x{Offset:x}",
        BootInfoErrorKind.NoMemoryMap => "multiboot2: no memory map (neither tag 6 nor EFI tag 17)",
        BootInfoErrorKind.BadEntrySize => $"multiboot2: memory map tag type {TagType} at offset 0x{Offset:x} has entry size {Value}, less than the {Limit} bytes of an entry",
        BootInfoErrorKind.PartialEntry => $"multiboot2: memory map tag type {TagType} at offset 0x{Offset:x} holds {Value} bytes of entries, not a whole number of {Limit}-byte entries",
        BootInfoErrorKind.TooManyMemoryMapEntries => $"multiboot2: memory map tag type {TagType} at offset 0x{Offset:x} has {Value} entries, more than the limit of {Limit}",
        BootInfoErrorKind.InvertedModule => $"multiboot2: module tag at offset 0x{Offset:x} ends at 0x{Limit:x}, before its start 0x{Value:x}",
        BootInfoErrorKind.TooManyModules => $"multiboot2: more than {Limit} module tags (at offset 0x{Offset:x})",
        BootInfoErrorKind.BadRsdp => $"multiboot2: ACPI tag type {TagType} at offset 0x{Offset:x} does not hold a valid RSDP (signature, checksum or length)",
        BootInfoErrorKind.BootServicesNotExited => "multiboot2: EFI boot services were not exited (tag 18) and there is no EFI memory map (tag 17) to tell their memory from free memory",
        BootInfoErrorKind.NoUsableMemory => $"boot memory map: no usable memory after normalisation ({Value} firmware entries)",
        BootInfoErrorKind.TooManyRegions => $"boot memory map: more than {Limit} regions after normalisation",
        BootInfoErrorKind.TooManyInputRegions => $"boot memory map: {Value} firmware entries and reserved ranges, more than the limit of {Limit}",
        BootInfoErrorKind.InvertedReservedRange => "boot memory map: a reserved range passed by the kernel ends before it starts",
        BootInfoErrorKind.ReservedRangeMarkedUsable => "boot memory map: a reserved range passed by the kernel has type Usable",
        BootInfoErrorKind.BadAddressLimit => $"boot memory map: address limit 0x{Value:x} is zero, above 2^52 or not 4 KiB aligned",
        BootInfoErrorKind.KernelOverlapsFirmwareMemory => $"boot memory map: the kernel's memory 0x{Value:x}-0x{Limit:x} overlaps {(Memory.MemoryRegionType)TagType} memory in the firmware's map",
        _ => $"boot information error {(int)Kind}",
    };
}
