namespace StrixOS.Memory;

/// <summary>
/// The mapper for the active address space: checks where physical memory is mapped (PHYS_MEM_OFFSET,
/// docs/memory.md) and wraps the level-4 table CR3 names. It keeps no state of its own:
/// <see cref="MemorySystem"/> owns the page table it returns.
/// </summary>
public static unsafe class MemoryManager
{
    /// <summary>
    /// An <see cref="OffsetPageTable"/> over the level-4 table CR3 names, reached through
    /// <paramref name="physicalMemoryOffset"/>; refused when the offset is not 4 KiB aligned or not canonical.
    /// </summary>
    public static Result<OffsetPageTable, InitError> Init(ulong physicalMemoryOffset, IPagingHardware hardware)
    {
        if ((physicalMemoryOffset & 0xFFF) != 0 || !VirtAddr.IsCanonical(physicalMemoryOffset))
            return InitError.InvalidOffset;
        return new OffsetPageTable(ActiveLevel4TableFrame(hardware), physicalMemoryOffset, hardware);
    }

    /// <summary>The frame of the active level-4 table: CR3 without its flag and PCID bits.</summary>
    public static PhysFrame ActiveLevel4TableFrame(IPagingHardware hardware)
        => PhysFrame.NewUnchecked(hardware.ReadCr3() & PageTableEntry.AddressMask, PageSize.Size4KiB);

    /// <summary>The active level-4 table, seen through the offset map.</summary>
    public static PageTable* ActiveLevel4Table(ulong physicalMemoryOffset, IPagingHardware hardware)
        => (PageTable*)(physicalMemoryOffset + ActiveLevel4TableFrame(hardware).StartAddress.Value);
}
