namespace StrixOS.Memory;

/// <summary>
/// The memory manager's entry point: records where physical memory is mapped (PHYS_MEM_OFFSET, see
/// <see cref="AddressSpaceLayout"/>) and hands out the mapper for the active address space.
/// </summary>
public static unsafe class MemoryManager
{
    private static bool s_initialized;
    private static ulong s_physicalMemoryOffset;

    public static bool IsInitialized => s_initialized;

    /// <summary>Where physical address 0 appears in virtual memory; 0 before <see cref="Init"/>.</summary>
    public static ulong PhysicalMemoryOffset => s_physicalMemoryOffset;

    /// <summary>
    /// Stores <paramref name="physicalMemoryOffset"/> (once: a second call is refused) and returns an
    /// <see cref="OffsetPageTable"/> over the level-4 table CR3 names.
    /// </summary>
    public static Result<OffsetPageTable, InitError> Init(ulong physicalMemoryOffset, IPagingHardware hardware)
    {
        if (s_initialized)
            return InitError.AlreadyInitialized;
        if ((physicalMemoryOffset & 0xFFF) != 0 || !VirtAddr.IsCanonical(physicalMemoryOffset))
            return InitError.InvalidOffset;
        s_physicalMemoryOffset = physicalMemoryOffset;
        s_initialized = true;
        return new OffsetPageTable(ActiveLevel4TableFrame(hardware), physicalMemoryOffset, hardware);
    }

    /// <summary>The frame of the active level-4 table: CR3 without its flag and PCID bits.</summary>
    public static PhysFrame ActiveLevel4TableFrame(IPagingHardware hardware)
        => PhysFrame.NewUnchecked(hardware.ReadCr3() & PageTableEntry.AddressMask, PageSize.Size4KiB);

    /// <summary>The active level-4 table, seen through the offset map.</summary>
    public static PageTable* ActiveLevel4Table(ulong physicalMemoryOffset, IPagingHardware hardware)
        => (PageTable*)(physicalMemoryOffset + ActiveLevel4TableFrame(hardware).StartAddress.Value);

    /// <summary>Host tests only: forgets <see cref="Init"/> so the next test can call it again.</summary>
    internal static void ResetForTests()
    {
        s_initialized = false;
        s_physicalMemoryOffset = 0;
    }
}
