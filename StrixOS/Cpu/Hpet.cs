using StrixOS.Boot.Stage;
using StrixOS.Plugs;

namespace StrixOS.Cpu;

/// <summary>
/// The HPET's main counter, used to measure the TSC's rate: both counters are read together at the start
/// and the end of a 10 ms window, so the rate is right even when the CPU looks at the clock late.
/// </summary>
public static unsafe class HpetCounter
{
    private const int Capabilities = 0x000, Configuration = 0x010, MainCounter = 0x0F0;
    private const ulong EnableCounter = 1;
    private const ulong MaxPeriodFemtoseconds = 100_000_000;   // the specification's bound: at most 100 ns per tick

    /// <summary>The TSC's ticks per second measured against the HPET at <paramref name="physicalAddress"/>, or 0 if it
    /// does not count (a period of 0 or above 100 ns, or a counter that does not move).</summary>
    public static ulong MeasureTscHz(ulong physicalAddress)
    {
        byte* hpet = (byte*)(BootLayout.PhysicalMemoryOffset + physicalAddress);
        ulong period = Mmio.Read64(hpet + Capabilities) >> 32;   // femtoseconds per tick
        if (period == 0 || period > MaxPeriodFemtoseconds)
            return 0;
        ulong configuration = Mmio.Read64(hpet + Configuration);
        if ((configuration & EnableCounter) == 0)
            *(ulong*)(hpet + Configuration) = configuration | EnableCounter;
        ulong window = 10_000_000_000_000UL / period;               // 10 ms in HPET ticks
        ulong maxGap = 20_000_000_000UL / period;                   // 20 us: a tighter bracket than any stall
        if (!TryReadTogether(hpet, maxGap, out ulong hpetStart, out ulong tscStart))
            return 0;
        ulong hpetNow, tscNow;
        int spins = 0;
        do
        {
            if (!TryReadTogether(hpet, maxGap, out hpetNow, out tscNow) || ++spins > 10_000_000)
                return 0;
        } while (hpetNow - hpetStart < window);
        ulong femtoseconds = (hpetNow - hpetStart) * period;
        return (ulong)((System.UInt128)(tscNow - tscStart) * 1_000_000_000_000_000UL / femtoseconds);
    }

    /// <summary>
    /// A TSC reading and the HPET count at the same moment: the TSC read between two HPET reads that are at
    /// most <paramref name="maxGap"/> apart (a virtual CPU descheduled between the reads would skew the rate;
    /// such a bracket is thrown away and read again).
    /// </summary>
    private static bool TryReadTogether(byte* hpet, ulong maxGap, out ulong hpetCount, out ulong tsc)
    {
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            ulong before = Mmio.Read64(hpet + MainCounter);
            tsc = X64.ReadTimestampCounter();
            ulong after = Mmio.Read64(hpet + MainCounter);
            if (after - before <= maxGap)
            {
                hpetCount = before + (after - before) / 2;
                return true;
            }
        }
        hpetCount = tsc = 0;
        return false;
    }
}
