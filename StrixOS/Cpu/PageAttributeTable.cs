using StrixOS.Memory;
using StrixOS.Plugs;

namespace StrixOS.Cpu;

/// <summary>
/// The page attribute table (IA32_PAT) gives write-combining to pages that ask for it: entry 1 (a 4 KiB
/// page with PWT set, PCD and PAT clear) is write-through after reset and becomes write-combining here.
/// Nothing else in StrixOS sets PWT, so no existing mapping changes its memory type.
/// </summary>
public static class PageAttributeTable
{
    private const uint Msr = 0x277;
    private const ulong WriteCombining = 0x01;

    /// <summary>Leaf flags of a 4 KiB page that selects entry 1.</summary>
    public const PageTableFlags WriteCombiningFlags = PageTableFlags.WriteThrough;

    public static bool WriteCombiningEnabled { get; private set; }

    /// <summary>Programs entry 1 as write-combining; false when the CPU has no PAT (PWT then means write-through).</summary>
    public static bool EnableWriteCombining()
    {
        if (WriteCombiningEnabled)
            return true;
        if (!CpuFeatures.PageAttributeTable)
            return false;
        ulong pat = X64.ReadMsr(Msr);
        X64.WriteMsr(Msr, (pat & ~(0x7UL << 8)) | (WriteCombining << 8));
        WriteCombiningEnabled = true;
        return true;
    }

    /// <summary>The memory type of entry 1 as the CPU holds it now.</summary>
    public static byte Entry1Type => (byte)((X64.ReadMsr(Msr) >> 8) & 0x7);
}
