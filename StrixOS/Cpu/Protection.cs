using StrixOS.Diagnostics;
using StrixOS.Plugs;
using StrixOS.Text;

namespace StrixOS.Cpu;

/// <summary>
/// CPU protections switched on once C# runs: CR0.WP (read-only pages bind the kernel too, set by
/// the boot stage), and SMEP, SMAP and UMIP where CPUID reports them.
/// </summary>
public static class Protection
{
    private const ulong Cr0WriteProtect = 1UL << 16;
    private const ulong Cr4Umip = 1UL << 11;
    private const ulong Cr4Smep = 1UL << 20;
    private const ulong Cr4Smap = 1UL << 21;

    public static bool SmapEnabled { get; private set; }

    public static void Enable()
    {
        ulong cr4 = X64.ReadCr4();
        if (CpuFeatures.Smep) cr4 |= Cr4Smep;
        if (CpuFeatures.Smap) cr4 |= Cr4Smap;
        if (CpuFeatures.Umip) cr4 |= Cr4Umip;
        X64.WriteCr4(cr4);
        cr4 = X64.ReadCr4();
        SmapEnabled = (cr4 & Cr4Smap) != 0;
        var line = new LineBuilder(stackalloc char[LineBuilder.LineLength]);
        line.Append("CPU protections: CR0.WP ");
        line.Append(On((X64.ReadCr0() & Cr0WriteProtect) != 0));
        line.Append(", SMEP ");
        line.Append(On((cr4 & Cr4Smep) != 0));
        line.Append(", SMAP ");
        line.Append(On(SmapEnabled));
        line.Append(", UMIP ");
        line.Append(On((cr4 & Cr4Umip) != 0));
        line.Append(", EFER.NXE on");
        KernelLog.Info(line.Written);
    }

    private static string On(bool enabled) => enabled ? "on" : "off (not reported by CPUID)";
}
