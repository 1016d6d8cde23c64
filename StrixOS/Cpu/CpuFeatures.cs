using StrixOS.Plugs;

namespace StrixOS.Cpu;

/// <summary>The CPUID feature bits StrixOS acts on.</summary>
public static class CpuFeatures
{
    public static bool Smep => (X64.Cpuid(7).Ebx & (1u << 7)) != 0 && MaxLeaf >= 7;
    public static bool Smap => (X64.Cpuid(7).Ebx & (1u << 20)) != 0 && MaxLeaf >= 7;
    public static bool Umip => (X64.Cpuid(7).Ecx & (1u << 2)) != 0 && MaxLeaf >= 7;
    public static bool Pcid => (X64.Cpuid(1).Ecx & (1u << 17)) != 0;
    public static bool PageAttributeTable => (X64.Cpuid(1).Edx & (1u << 16)) != 0;
    public static bool GigabytePages => (X64.Cpuid(0x80000001).Edx & (1u << 26)) != 0;

    private static uint MaxLeaf => X64.Cpuid(0).Eax;
}
