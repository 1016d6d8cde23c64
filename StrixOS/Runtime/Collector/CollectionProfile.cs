using StrixOS.Plugs;

namespace StrixOS.Runtime.Collector;

/// <summary>
/// Where collection and allocation time goes, in TSC ticks since boot: the phases of every collection and the
/// allocator's refills (retire, take a chunk, zero it). Printed by the GC benchmark (`./strix bench gc`).
/// </summary>
internal static class CollectionProfile
{
    public static ulong MarkTicks, WeakAndFinalizerTicks, SweepTicks, DecommitTicks;
    public static ulong Refills, RefillTicks;

    public static ulong Now() => X64.ReadTimestampCounter();

    private static ulong Microseconds(ulong ticks) => (ulong)((System.UInt128)ticks * 1_000_000UL / Cpu.Timestamp.TicksPerSecond);

    /// <summary>One line: "gc-profile collections=N mark-us=... ...".</summary>
    public static string Line() =>
        $"gc-profile collections={Collector.Count} pause-us={Collector.TotalPauseNanoseconds / 1000} mark-us={Microseconds(MarkTicks)} " +
        $"weak-finalizers-us={Microseconds(WeakAndFinalizerTicks)} sweep-us={Microseconds(SweepTicks)} decommit-us={Microseconds(DecommitTicks)} " +
        $"refills={Refills} refill-us={Microseconds(RefillTicks)}";
}
