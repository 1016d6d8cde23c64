using System;
using System.Runtime;
using StrixOS.Diagnostics;
using StrixOS.Runtime.Collector;

namespace StrixOS.Runtime;

/// <summary>
/// What CoreLib asks of the garbage collector (Collector/Collector.cs). GC handles are entries of the
/// handle table (Collector/HandleTable.cs), which the collector enumerates as roots, clears or follows.
/// </summary>
internal static unsafe class GcServices
{
    /// <summary>GC.Collect: a full blocking collection whatever the generation and mode (there is one
    /// generation); the finalizers it queued run on the finalizer thread (inline before that thread exists).</summary>
    [RuntimeExport("RhpCollect")]
    private static void Collect(int generation, int mode, int lowMemory)
    {
        if (Collector.Collector.Collect() == CollectionOutcome.Collected)
            FinalizerQueue.RunPending();
    }

    /// <summary>Every collection is full: it counts for every generation.</summary>
    [RuntimeExport("RhGetGcCollectionCount")]
    private static int GetCollectionCount(int generation, bool special) => Collector.Collector.Count;

    [RuntimeExport("RhGetMaxGcGeneration")]
    private static int GetMaxGeneration() => 0;

    /// <summary>GC.GetTotalMemory: bytes of the object heap's live blocks, plus objects made before it existed
    /// (CoreLib asks for a collection first when forceFullCollection is set).</summary>
    [RuntimeExport("RhpGetGcTotalMemory")]
    private static long GetTotalMemory() => (long)ObjectHeapBytes();

    private static ulong ObjectHeapBytes() => KernelHeap.ObjectHeap is { } heap ? heap.BytesInUse - AllocationContexts.UnusedBytes() : 0;

    [RuntimeExport("RhGetTotalAllocatedBytes")]
    private static long GetTotalAllocatedBytes() => (long)Allocation.TotalAllocatedBytes;

    [RuntimeExport("RhGetTotalAllocatedBytesPrecise")]
    private static long GetTotalAllocatedBytesPrecise() => (long)Allocation.TotalAllocatedBytes;

    /// <summary>Waits until the finalizer thread has run the finalizers queued so far (returns at once on that thread).</summary>
    [RuntimeExport("RhWaitForPendingFinalizers")]
    private static void WaitForPendingFinalizers(int allowReentrantWait) => FinalizerThread.WaitForPending();

    /// <summary>
    /// GC.GetGCMemoryInfo: fills CoreLib's GCMemoryInfoData (a sequential struct: ten longs, the generation and
    /// pause percentage, the compacted and concurrent bytes, five generation infos of four longs, two pause
    /// durations). The machine's figures are there from the start, as on .NET: total available memory is the
    /// physical memory the frame allocator manages, the high-load threshold 90% of it (.NET's default
    /// GCHighMemPercent), the memory load the frames behind both heaps. The rest describes the last collection:
    /// zeros before the first one.
    /// </summary>
    [RuntimeExport("RhGetMemoryInfo")]
    private static void GetMemoryInfo(byte* info, int kind)
    {
        new Span<byte>(info, InfoBytes).Clear();
        long* longs = (long*)info;
        ulong total = Collector.Collector.PhysicalMemoryBytes;
        longs[0] = (long)(total / 100 * HighMemoryLoadPercent);    // high memory load threshold
        longs[1] = (long)total;                                      // total available memory
        longs[2] = KernelHeap.RawHeap?.Backing is Memory.Heap.PageTableHeapBacking backing
            ? (long)(backing.FramesMapped * 4096) : 0;                // memory load: frames behind both heaps
        // GCKind: Any 0, Ephemeral 1, FullBlocking 2, Background 3. Every collection here is full and blocking.
        if (Collector.Collector.Count == 0 || kind == 1 || kind == 3)
            return;
        longs[3] = (long)Collector.Collector.LastLiveBytes;          // heap size after the collection
        longs[4] = 0;                                                // fragmentation (free slots are not counted)
        HeapAllocatorInfo(out ulong committed);
        longs[5] = (long)committed;                                  // committed
        longs[6] = (long)Collector.Collector.LastLiveBytes;          // promoted: what survived
        longs[7] = (long)Collector.Collector.LastPinnedRoots;
        longs[8] = (long)FinalizerQueue.PendingCount;
        longs[9] = Collector.Collector.Count;                        // index
        ((int*)info)[20] = 0;                                        // generation
        ((int*)info)[21] = 0;                                        // pause time percentage (x100)
        info[88] = 0;                                                // not compacted
        info[89] = 0;                                                // not concurrent
        long* generation0 = (long*)(info + 96);
        generation0[0] = (long)Collector.Collector.LastHeapBytesBefore;
        generation0[2] = (long)Collector.Collector.LastLiveBytes;
        long* pauses = (long*)(info + 96 + 5 * 32);
        pauses[0] = (long)(Collector.Collector.LastPauseNanoseconds / 100);  // TimeSpan ticks
    }

    private const int InfoBytes = 96 + 5 * 32 + 2 * 8;
    private const ulong HighMemoryLoadPercent = 90;

    private static void HeapAllocatorInfo(out ulong committed)
    {
        committed = 0;
        if (KernelHeap.ObjectHeap is { } heap)
            committed = heap.BytesMapped - heap.DecommittedPages * 4096;
    }

    [RuntimeExport("RhSuppressFinalize")]
    private static void SuppressFinalize(object obj) => FinalizerQueue.Suppress(AddressOf(obj));

    [RuntimeExport("RhReRegisterForFinalize")]
    private static bool ReRegisterForFinalize(object obj)
    {
        FinalizerQueue.ReRegister(AddressOf(obj));
        return true;
    }

    private static ulong AddressOf(object obj) => (ulong)System.Runtime.CompilerServices.Unsafe.As<object, nint>(ref obj);

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
