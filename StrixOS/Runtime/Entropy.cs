using System.Runtime;
using System.Runtime.InteropServices;
using StrixOS.Diagnostics;
using StrixOS.Plugs;

namespace StrixOS.Runtime;

/// <summary>
/// Random bytes for Guid.NewGuid and RandomNumberGenerator (SystemNative_GetCryptographicallySecureRandomBytes).
/// RDSEED, else RDRAND, where CPUID has them. Without either (QEMU's default qemu64 CPU) the fallback is
/// a xorshift generator seeded from the TSC and the wall clock: unpredictable enough for GUIDs, NOT
/// cryptographically secure; the kernel says so on the serial console the first time it is used.
/// </summary>
public static unsafe class Entropy
{
    [DllImport("*", EntryPoint = "strix_rdrand64"), SuppressGCTransition] private static extern int RdRand(ulong* value);
    [DllImport("*", EntryPoint = "strix_rdseed64"), SuppressGCTransition] private static extern int RdSeed(ulong* value);

    public enum Source { Unknown, RdSeed, RdRand, Fallback }

    private static Source s_source;
    private static ulong s_fallbackState;

    /// <summary>Where the bytes come from on this CPU.</summary>
    public static Source Current
    {
        get
        {
            if (s_source == Source.Unknown)
                s_source = Detect();
            return s_source;
        }
    }

    private static Source Detect()
    {
        if (X64.Cpuid(0).Eax >= 7 && (X64.Cpuid(7).Ebx & (1u << 18)) != 0)
            return Source.RdSeed;
        if ((X64.Cpuid(1).Ecx & (1u << 30)) != 0)
            return Source.RdRand;
        KernelLog.Warning("random: the CPU has no RDRAND/RDSEED; Guid.NewGuid and RandomNumberGenerator use a TSC-seeded generator that is NOT cryptographically secure");
        return Source.Fallback;
    }

    /// <summary>Fills the buffer; false only if the hardware generator kept failing.</summary>
    public static bool Fill(byte* buffer, int length)
    {
        Source source = Current;
        for (int i = 0; i < length; i += 8)
        {
            ulong word;
            if (!Next(source, &word))
                return false;
            for (int j = 0; j < 8 && i + j < length; j++)
                buffer[i + j] = (byte)(word >> (8 * j));
        }
        return true;
    }

    private static bool Next(Source source, ulong* word)
    {
        switch (source)
        {
            case Source.RdSeed:
                return RdSeed(word) != 0 || RdRand(word) != 0;
            case Source.RdRand:
                return RdRand(word) != 0;
            default:
                if (s_fallbackState == 0)
                    s_fallbackState = (X64.ReadTimestampCounter() * 0x9E3779B97F4A7C15UL) ^ (ulong)WallClock.UnixTicks | 1;
                s_fallbackState ^= s_fallbackState >> 12;
                s_fallbackState ^= s_fallbackState << 25;
                s_fallbackState ^= s_fallbackState >> 27;
                *word = s_fallbackState * 0x2545F4914F6CDD1DUL ^ X64.ReadTimestampCounter();
                return true;
        }
    }

    [RuntimeExport("SystemNative_GetCryptographicallySecureRandomBytes")]
    private static int GetCryptographicallySecureRandomBytes(byte* buffer, int length) => Fill(buffer, length) ? 0 : -1;
}
