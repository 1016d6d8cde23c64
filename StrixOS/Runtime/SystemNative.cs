using System;
using System.Runtime;
using StrixOS.Diagnostics;
using StrixOS.Drivers;
using StrixOS.Plugs;
using Timestamp = StrixOS.Cpu.Timestamp;

namespace StrixOS.Runtime;

/// <summary>
/// The SystemNative_* calls CoreLib makes into libSystem.Native on Linux, answered by the kernel:
/// native memory from the kernel heap, errno, time from the TSC, pseudo-random bytes.
/// </summary>
internal static unsafe class SystemNative
{
    private static ulong s_randomState;

    [RuntimeExport("SystemNative_Malloc")]
    private static void* Malloc(nuint size) => KernelHeap.Allocate(size == 0 ? 1 : size);

    [RuntimeExport("SystemNative_Free")]
    private static void Free(void* pointer) => KernelHeap.Free((byte*)pointer);

    /// <summary>Nanoseconds (Stopwatch.Frequency on Linux is 1e9), from the calibrated TSC.</summary>
    [RuntimeExport("SystemNative_GetTimestamp")]
    private static long GetTimestamp() => (long)Timestamp.Nanoseconds;

    [RuntimeExport("SystemNative_GetLowResolutionTimestamp")]
    private static long GetLowResolutionTimestamp() => (long)(Timestamp.Nanoseconds / 1_000_000);

    /// <summary>xorshift64* seeded from the TSC: fine for hash seeds, never for secrets.</summary>
    [RuntimeExport("SystemNative_GetNonCryptographicallySecureRandomBytes")]
    private static void GetRandomBytes(byte* buffer, int length)
    {
        if (s_randomState == 0)
            s_randomState = X64.ReadTimestampCounter() | 1;
        for (int i = 0; i < length; i++)
        {
            s_randomState ^= s_randomState >> 12;
            s_randomState ^= s_randomState << 25;
            s_randomState ^= s_randomState >> 27;
            buffer[i] = (byte)((s_randomState * 0x2545F4914F6CDD1DUL) >> 56);
        }
    }

    [RuntimeExport("SystemNative_LogError")]
    private static void LogError(byte* message)
    {
        SerialPort.Com1.Write("[runtime] "u8);
        SerialPort.Com1.WriteCString(message);
        SerialPort.Com1.Write("\r\n"u8);
    }

    [RuntimeExport("SystemNative_Abort")]
    private static void Abort() => Panic.Raw("CoreLib called abort()"u8);
}
