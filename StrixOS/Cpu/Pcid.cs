using StrixOS.Plugs;

namespace StrixOS.Cpu;

/// <summary>Process-context identifiers: TLB entries tagged per address space, so a CR3 switch keeps them.</summary>
public static class Pcid
{
    /// <summary>CR4.PCIDE (Intel SDM vol. 3, 2.5): CR3's low 12 bits name the current PCID.</summary>
    public const ulong Cr4Enable = 1UL << 17;

    /// <summary>Turns PCIDs on when the CPU has them (CPUID.01H:ECX.PCID); returns whether they are on.</summary>
    public static bool TryEnable()
    {
        if (!CpuFeatures.Pcid)
            return false;
        X64.WriteCr4(X64.ReadCr4() | Cr4Enable);
        return true;
    }
}
