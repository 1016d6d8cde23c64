using StrixOS.Boot.Stage;
using StrixOS.Cpu;
using StrixOS.Plugs;

namespace StrixOS.Diagnostics;

/// <summary>
/// strix.boottrace: where a boot's time goes. The boot stage stamps the TSC at the kernel's first
/// instruction, in the higher half and before the runtime and Main start (<see cref="BootLayout"/>);
/// <see cref="Mark"/> stamps the end of each start-up phase in C#. <see cref="Print"/> writes one line
/// per phase once the clock is calibrated. QEMU's TSC counts from machine reset, so the first line is
/// the firmware and GRUB (loading the image and the modules) before the kernel ran at all.
/// Marking costs one rdtsc and two stores, so it is always on; only the printing is optional.
/// </summary>
public static unsafe class BootTrace
{
    public const string Option = "strix.boottrace";
    private const int MaxPhases = 24;

    private static readonly ulong[] Ends = new ulong[MaxPhases];
    private static readonly string[] Names = new string[MaxPhases];
    private static int s_count;

    /// <summary>The phase called <paramref name="phase"/> ends now (it began at the previous mark).</summary>
    public static void Mark(string phase)
    {
        if (s_count == MaxPhases)
            return;
        Ends[s_count] = X64.ReadTimestampCounter();
        Names[s_count] = phase;
        s_count++;
    }

    /// <summary>One line per phase: its length and when it ended, in microseconds since machine reset.</summary>
    public static void Print()
    {
        BootLayout* layout = BootLayout.Current;
        ulong hz = Timestamp.TicksPerSecond;
        KernelLog.Info($"boottrace: TSC {hz / 1000} kHz; phase: length, end (microseconds since machine reset)");
        ulong previous = 0;
        if (layout->ExpanderTsc != 0)
        {
            Line("firmware and GRUB (loading the image and modules)", ref previous, layout->ExpanderTsc, hz);
            Line("expander: the kernel's image expanded (LZ4)", ref previous, layout->EntryTsc, hz);
        }
        else
            Line("firmware and GRUB (loading the image and modules)", ref previous, layout->EntryTsc, hz);
        Line("boot stage: checks, page tables, long mode", ref previous, layout->HigherHalfTsc, hz);
        Line("boot stage: higher half, TLS", ref previous, layout->RuntimeStartTsc, hz);
        Line("runtime start-up (CoreLib InitializeModules)", ref previous, layout->MainTsc, hz);
        for (int i = 0; i < s_count; i++)
            Line(Names[i], ref previous, Ends[i], hz);
    }

    private static void Line(string phase, ref ulong previous, ulong end, ulong hz)
    {
        ulong length = end >= previous ? end - previous : 0;
        KernelLog.Info($"boottrace: {Microseconds(length, hz),9} us  (at {Microseconds(end, hz),9} us)  {phase}");
        previous = end;
    }

    private static ulong Microseconds(ulong ticks, ulong hz) => (ulong)((System.UInt128)ticks * 1_000_000UL / hz);
}
