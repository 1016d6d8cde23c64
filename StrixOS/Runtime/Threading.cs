using System;
using System.Runtime;
using System.Runtime.CompilerServices;
using StrixOS.Threading;

namespace StrixOS.Runtime;

/// <summary>
/// Threads and locks as CoreLib sees them, on the kernel's scheduler (StrixOS/Threading): thread creation
/// (pthread_create's role), the current thread's identity, stack and name, yielding, and the low-level monitor
/// (mutex + condition) under every CoreLib lock, event, semaphore and sleep.
/// </summary>
internal static unsafe class Threading
{
    /// <summary>CoreLib's thread-exit callback (Thread.OnThreadExit): signals Join, run on each thread as it ends.</summary>
    public static nint ExitCallback;

    [RuntimeExport("RhCurrentOSThreadId")]
    private static ulong CurrentOsThreadId() => Scheduler.Current->Id;

    [RuntimeExport("RhGetProcessCpuCount")]
    private static int GetProcessCpuCount() => 1;

    /// <summary>
    /// Spinning on one CPU only delays the thread that would release the lock: with another thread ready, the
    /// spinner gives it the CPU instead (CoreLib's spin-then-block loops then cost a switch, not a quantum).
    /// </summary>
    [RuntimeExport("RhSpinWait")]
    private static void SpinWait(int iterations)
    {
        if (Scheduler.Yield())
            return;
        for (int i = 0; i < iterations; i++)
            Plugs.X64.Pause();
    }

    [RuntimeExport("RhLongSpinWait")]
    private static void LongSpinWait(int iterations) => SpinWait(iterations);

    [RuntimeExport("RhYield")]
    private static int Yield() => Scheduler.Yield() ? 1 : 0;

    [RuntimeExport("RhSetThreadExitCallback")]
    private static void SetThreadExitCallback(void* callback) => ExitCallback = (nint)callback;

    [RuntimeExport("SystemNative_SchedGetCpu")]
    private static int SchedGetCpu() => 0;

    /// <summary>pthread_create: a kernel thread running <paramref name="startAddress"/>(<paramref name="parameter"/>); 0 when out of
    /// stack memory. The parameter is CoreLib's GCHandle to the Thread: the scheduler follows that Thread's priority.</summary>
    [RuntimeExport("SystemNative_CreateThread")]
    private static int CreateThread(nint stackSize, nint startAddress, nint parameter)
    {
        ulong* threadObject = ThreadPriorities.WeakHandleFor(parameter);
        if (Scheduler.Create(startAddress, parameter, (ulong)stackSize, ReadyQueues.NormalLevel, threadObject, out _) != null)
            return 1;
        if (threadObject != null)
            Collector.HandleTable.Free(threadObject);
        return 0;
    }

    [RuntimeExport("RhGetDefaultStackSize")]
    private static nint GetDefaultStackSize() => (nint)ThreadStacks.DefaultStackBytes;

    /// <summary>
    /// The thread pool's CPU use since the previous call (<paramref name="previous"/> holds the last call's
    /// times: now, busy, and an unused third), in percent: time not spent in the idle thread.
    /// </summary>
    [RuntimeExport("SystemNative_GetCpuUtilization")]
    private static int GetCpuUtilization(ulong* previous)
    {
        ulong now = Cpu.Timestamp.Nanoseconds;
        ulong busy = now - Scheduler.IdleNanoseconds(now);
        ulong elapsed = now - previous[0], busyElapsed = busy - previous[1];
        previous[0] = now;
        previous[1] = busy;
        if (elapsed == 0 || busyElapsed > elapsed)
            return busyElapsed > elapsed ? 100 : 0;
        return (int)(busyElapsed * 100 / elapsed);
    }

    /// <summary>CoreLib's Unix build passes the name as UTF-8 (its import marshals the string that way).</summary>
    [RuntimeExport("RhSetCurrentThreadName")]
    private static void SetCurrentThreadName(byte* name)
    {
        if (name != null)
            Scheduler.SetName(Scheduler.Current, System.Runtime.InteropServices.Marshal.PtrToStringUTF8((nint)name) ?? "");
    }

    [RuntimeExport("SystemNative_LowLevelMonitor_Create")]
    private static IntPtr MonitorCreate() => (IntPtr)KernelHeap.Allocate((ulong)sizeof(LowLevelMonitor));

    [RuntimeExport("SystemNative_LowLevelMonitor_Destroy")]
    private static void MonitorDestroy(IntPtr monitor) => KernelHeap.Free((byte*)monitor);

    [RuntimeExport("SystemNative_LowLevelMonitor_Acquire")]
    private static void MonitorAcquire(IntPtr monitor) => LowLevelMonitor.Acquire((LowLevelMonitor*)monitor);

    [RuntimeExport("SystemNative_LowLevelMonitor_Release")]
    private static void MonitorRelease(IntPtr monitor) => LowLevelMonitor.Release((LowLevelMonitor*)monitor);

    [RuntimeExport("SystemNative_LowLevelMonitor_Wait")]
    private static void MonitorWait(IntPtr monitor) => _ = LowLevelMonitor.Wait((LowLevelMonitor*)monitor, -1);

    [RuntimeExport("SystemNative_LowLevelMonitor_TimedWait")]
    private static int MonitorTimedWait(IntPtr monitor, int timeoutMilliseconds)
        => LowLevelMonitor.Wait((LowLevelMonitor*)monitor, timeoutMilliseconds) ? 1 : 0;

    [RuntimeExport("SystemNative_LowLevelMonitor_Signal_Release")]
    private static void MonitorSignalRelease(IntPtr monitor) => LowLevelMonitor.SignalAndRelease((LowLevelMonitor*)monitor);

    /// <summary>Interlocked.MemoryBarrierProcessWide: with one CPU a full fence on this one orders everything.</summary>
    [RuntimeExport("RhFlushProcessWriteBuffers")]
    private static void FlushProcessWriteBuffers() => System.Threading.Interlocked.MemoryBarrier();

    /// <summary>Thread statics ILC cannot inline live in per-thread arrays CoreLib allocates itself
    /// (Internal.Runtime.ThreadStatics); the runtime keeps each thread's root, which the collector reports.</summary>
    [RuntimeExport("RhGetThreadStaticStorage")]
    private static ref object[][]? GetThreadStaticStorage() => ref Unsafe.AsRef<object[][]?>(&Scheduler.Current->ThreadStaticStorage);
}
