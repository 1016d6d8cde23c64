using System;
using System.Runtime;
using StrixOS.Diagnostics;

namespace StrixOS.Runtime;

/// <summary>
/// Threads and locks as CoreLib sees them: one CPU, one thread, no preemption. A lock is
/// always free; waiting for a signal that no other thread can send is reported, not hung on.
/// </summary>
internal static unsafe class Threading
{
    [RuntimeExport("RhCurrentOSThreadId")]
    private static ulong CurrentOsThreadId() => 1;

    [RuntimeExport("RhGetProcessCpuCount")]
    private static int GetProcessCpuCount() => 1;

    [RuntimeExport("RhSpinWait")]
    private static void SpinWait(int iterations) { }

    [RuntimeExport("RhYield")]
    private static int Yield() => 0;

    [RuntimeExport("RhSetThreadExitCallback")]
    private static void SetThreadExitCallback(void* callback) { }

    [RuntimeExport("SystemNative_SchedGetCpu")]
    private static int SchedGetCpu() => 0;

    [RuntimeExport("SystemNative_LowLevelMonitor_Create")]
    private static IntPtr MonitorCreate() => (IntPtr)KernelHeap.Allocate(8);

    [RuntimeExport("SystemNative_LowLevelMonitor_Destroy")]
    private static void MonitorDestroy(IntPtr monitor) { }

    [RuntimeExport("SystemNative_LowLevelMonitor_Acquire")]
    private static void MonitorAcquire(IntPtr monitor) { }

    [RuntimeExport("SystemNative_LowLevelMonitor_Release")]
    private static void MonitorRelease(IntPtr monitor) { }

    [RuntimeExport("SystemNative_LowLevelMonitor_Signal_Release")]
    private static void MonitorSignalRelease(IntPtr monitor) { }

    /// <summary>Interlocked.MemoryBarrierProcessWide: with one CPU a full fence on this one orders everything.</summary>
    [RuntimeExport("RhFlushProcessWriteBuffers")]
    private static void FlushProcessWriteBuffers() => System.Threading.Interlocked.MemoryBarrier();

    // Thread statics that ILC cannot inline live in per-thread arrays CoreLib allocates itself
    // (Internal.Runtime.ThreadStatics); the runtime only keeps the root. One thread: one root.
    private static object[][]? s_threadStaticStorage;

    [RuntimeExport("RhGetThreadStaticStorage")]
    private static ref object[][]? GetThreadStaticStorage() => ref s_threadStaticStorage;
}
