using System;
using System.Runtime;
using StrixOS.Diagnostics;
using StrixOS.Runtime.Collector;

namespace StrixOS.Runtime;

/// <summary>
/// What CoreLib asks of a garbage collector. There is none yet: collections are no-ops,
/// finalizers never run. GC handles are entries of the handle table (Collector/HandleTable.cs), which
/// the collector's root scan enumerates.
/// </summary>
internal static unsafe class GcServices
{
    [RuntimeExport("RhpCollect")]
    private static void Collect(int generation, int mode, int lowMemory) { }

    [RuntimeExport("RhGetGcCollectionCount")]
    private static int GetCollectionCount(int generation, bool special) => 0;

    [RuntimeExport("RhGetMaxGcGeneration")]
    private static int GetMaxGeneration() => 0;

    [RuntimeExport("RhpGetGcTotalMemory")]
    private static long GetTotalMemory() => (long)KernelHeap.UsedBytes;

    [RuntimeExport("RhGetTotalAllocatedBytes")]
    private static long GetTotalAllocatedBytes() => (long)Allocation.TotalAllocatedBytes;

    [RuntimeExport("RhGetTotalAllocatedBytesPrecise")]
    private static long GetTotalAllocatedBytesPrecise() => (long)Allocation.TotalAllocatedBytes;

    /// <summary>Nothing is collected yet, so no finalizer is ever queued: there is nothing to wait for.</summary>
    [RuntimeExport("RhWaitForPendingFinalizers")]
    private static void WaitForPendingFinalizers(int allowReentrantWait) { }

    [RuntimeExport("RhGetMemoryInfo")]
    private static void GetMemoryInfo(byte* info, int kind) { }

    [RuntimeExport("RhSuppressFinalize")]
    private static void SuppressFinalize(object obj) { }

    [RuntimeExport("RhReRegisterForFinalize")]
    private static bool ReRegisterForFinalize(object obj) => true;

    [RuntimeExport("RhpStartNoGCRegion")]
    private static int StartNoGcRegion(long totalSize, int hasLohSize, long lohSize, int disallowFullBlockingGc) => 0;

    [RuntimeExport("RhpEndNoGCRegion")]
    private static int EndNoGcRegion() => 0;

    [RuntimeExport("RhpSetThreadDoNotTriggerGC")]
    private static int SetThreadDoNotTriggerGc(void* thread, int value) => 0;

    [RuntimeExport("RhpHandleAlloc")]
    private static IntPtr HandleAlloc(IntPtr value, int type) =>
        (IntPtr)HandleTable.Allocate((ulong)value, (HandleKind)type);

    [RuntimeExport("RhHandleFree")]
    private static void HandleFree(IntPtr handle)
    {
        if (handle != IntPtr.Zero)
            HandleTable.Free((ulong*)handle);
    }

    /// <summary>A dependent handle keeps a secondary alive while its primary lives: its entry's second word.</summary>
    [RuntimeExport("RhpHandleAllocDependent")]
    private static IntPtr HandleAllocDependent(IntPtr primary, IntPtr secondary) =>
        (IntPtr)HandleTable.Allocate((ulong)primary, HandleKind.Dependent, (ulong)secondary);

    [RuntimeExport("RhHandleGetDependent")]
    private static IntPtr HandleGetDependent(IntPtr handle, IntPtr* secondary)
    {
        var cells = (IntPtr*)handle;
        *secondary = cells[0] == IntPtr.Zero ? IntPtr.Zero : cells[1];
        return cells[0];
    }

    [RuntimeExport("RhHandleSet")]
    private static void HandleSet(IntPtr handle, IntPtr value)
    {
        if (handle == IntPtr.Zero)
            Panic.Fail("RhHandleSet on a null GC handle");
        *(IntPtr*)handle = value;
    }
}
