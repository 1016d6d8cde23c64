namespace StrixOS.Memory;

/// <summary>
/// The CPU's paging controls: the only thing the memory manager needs from below the plug boundary.
/// The kernel implements it with the CR3 and invlpg plugs; host tests with a simulation.
/// </summary>
public interface IPagingHardware
{
    /// <summary>The raw CR3 value (level-4 table address plus flag/PCID bits).</summary>
    ulong ReadCr3();
    void WriteCr3(ulong value);
    /// <summary>Drop any TLB entry for the page holding this virtual address (invlpg).</summary>
    void FlushPage(ulong virtualAddress);
    /// <summary>Drop all non-global TLB entries (reload CR3).</summary>
    void FlushAll();
}
