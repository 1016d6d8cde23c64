namespace StrixOS.Boot;

/// <summary>Which multiboot2 tag the memory map came from.</summary>
public enum MemoryMapSource : byte
{
    /// <summary>Tag 6: the BIOS E820-style map (under UEFI, GRUB derives it from the EFI map).</summary>
    Multiboot2Mmap,
    /// <summary>Tag 17: the EFI memory map as it stood when GRUB exited boot services.</summary>
    EfiMmap,
}
