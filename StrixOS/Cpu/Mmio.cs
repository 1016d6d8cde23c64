using System.Threading;

namespace StrixOS.Cpu;

/// <summary>Device registers in memory: each access is a real load or store, never merged or dropped by the compiler.</summary>
public static unsafe class Mmio
{
    public static uint Read32(byte* address) => Volatile.Read(ref *(uint*)address);
    public static void Write32(byte* address, uint value) => Volatile.Write(ref *(uint*)address, value);
    public static ulong Read64(byte* address) => Volatile.Read(ref *(ulong*)address);
}
