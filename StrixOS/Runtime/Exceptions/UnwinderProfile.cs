using System.Diagnostics;

namespace StrixOS.Runtime.Exceptions;

/// <summary>
/// Where a throw's time goes in the runtime's part of it, for the exceptions benchmark: TSC ticks
/// spent in the stack-frame iterator (RhpSfiInit/RhpSfiNext: FDE lookup, CFI, register rules) and
/// in the EH clause enumeration CoreLib's dispatcher asks for at each frame. Off unless the
/// benchmark turns it on: a disabled probe is one branch.
/// </summary>
internal static class UnwinderProfile
{
    public static bool Enabled;
    public static long IteratorTicks;
    public static long IteratorCalls;
    public static long ClauseTicks;
    public static long ClauseCalls;

    public static void Reset()
    {
        IteratorTicks = IteratorCalls = ClauseTicks = ClauseCalls = 0;
    }

    public static long Start() => Enabled ? Stopwatch.GetTimestamp() : 0;

    public static void StopIterator(long start)
    {
        if (!Enabled)
            return;
        IteratorTicks += Stopwatch.GetTimestamp() - start;
        IteratorCalls++;
    }

    public static void StopClauses(long start)
    {
        if (!Enabled)
            return;
        ClauseTicks += Stopwatch.GetTimestamp() - start;
        ClauseCalls++;
    }
}
