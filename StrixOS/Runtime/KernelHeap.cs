using StrixOS.Boot.Stage;
using StrixOS.Diagnostics;
using StrixOS.Memory;
using StrixOS.Memory.Heap;
using StrixOS.Plugs;

namespace StrixOS.Runtime;

/// <summary>
/// Where `new` gets its memory. Until the memory manager is up (CoreLib's start-up and the first
/// steps of boot) it bumps through the early heap the boot stage reserves in the kernel's BSS; then
/// <see cref="Use"/> switches it to the kernel heap (<see cref="HeapAllocator"/>), mapped on demand
/// through the page tables, which reuses freed blocks and can enumerate every live one (what a
/// garbage collector will need). Early-heap memory is never freed.
/// </summary>
public static unsafe class KernelHeap
{
    private static byte* s_next;
    private static byte* s_end;
    private static byte* s_start;
    // Reference statics live in a GC static block that CoreLib's start-up allocates with this very
    // heap, so s_heap may be read only once s_heapReady (a plain non-GC static, zero at load) says so.
    private static bool s_heapReady;
    private static HeapAllocator? s_heap;
    private static bool s_inHeap;
    // The garbage-collected object heap: a second HeapAllocator (same backing) that holds only objects.
    private static bool s_objectsReady;
    private static HeapAllocator? s_objects;

    /// <summary>Bytes in use in every heap: the early heap's bump area, the kernel heap's and the object heap's live blocks.</summary>
    public static ulong UsedBytes => EarlyHeapUsedBytes + (s_heapReady ? s_heap!.BytesInUse : 0) + (s_objectsReady ? s_objects!.BytesInUse : 0);
    public static ulong EarlyHeapUsedBytes => (ulong)(s_next - s_start);
    /// <summary>The early heap's size (EARLY_HEAP_SIZE in boot.asm); 0 before its first allocation.</summary>
    public static ulong EarlyHeapBytes => (ulong)(s_end - s_start);
    public static ulong FreeBytes => (ulong)(s_end - s_next);
    /// <summary>Bytes in live blocks of the heap that serves raw allocations now (the early heap's before <see cref="Use"/>).</summary>
    public static ulong BytesInUse => s_heapReady ? s_heap!.BytesInUse : EarlyHeapUsedBytes;
    /// <summary>Does the object heap exist? Check this before <see cref="ObjectHeap"/> on paths that run during CoreLib's
    /// start-up: the reference static's block may not exist yet, and the JIT may load it unconditionally (cmov).</summary>
    public static bool ObjectHeapReady => s_objectsReady;
    /// <summary>The object heap, once it exists (null before <see cref="Use"/>).</summary>
    public static HeapAllocator? ObjectHeap => s_objectsReady ? s_objects : null;
    /// <summary>The kernel heap for raw blocks, once it exists.</summary>
    public static HeapAllocator? RawHeap => s_heapReady ? s_heap : null;

    /// <summary>
    /// Is the address inside memory either heap hands out (the early heap in the image's BSS, or the
    /// page-table heap's virtual range)? Objects elsewhere (frozen objects in the image) are not heap.
    /// </summary>
    public static bool Contains(ulong address) =>
        address >= (ulong)s_start && address < (ulong)s_next
        || address >= KernelHeapLayout.Start && address < KernelHeapLayout.ObjectHeapStart + KernelHeapLayout.ObjectHeapMaxBytes;

    /// <summary>The page-table heap serves every allocation from now on.</summary>
    public static void Use(HeapAllocator heap)
    {
        s_heap = heap;
        s_heapReady = true;
        // Objects get their own heap, right after this one in the same P4 slot, so the collector can walk
        // and sweep it knowing every block is an object. (This HeapAllocator is itself allocated from the
        // kernel heap above: objects made before the object heap exists are never freed.)
        Result<HeapAllocator, HeapError> objects = HeapAllocator.Create(KernelHeapLayout.ObjectHeapStart,
            KernelHeapLayout.ObjectHeapMaxBytes, heap.Backing);
        if (objects.IsError)
            Panic.Fail($"object heap: {objects.Error.Describe()}");
        s_objects = objects.Value;
        s_objectsReady = true;
    }

    /// <summary>
    /// Zeroed memory for an object: from the object heap once it exists (null when it is exhausted: the
    /// caller collects and tries again), before that from the kernel or early heap (never freed).
    /// </summary>
    public static byte* TryAllocateObject(ulong size)
    {
        if (!s_objectsReady)
            return Allocate(size);
        ulong flags = InterruptFlag.SaveAndDisable();
        Result<ulong, HeapError> block = s_objects!.Allocate(size == 0 ? 1 : size);
        InterruptFlag.Restore(flags);
        return block.IsError ? null : (byte*)block.Value;
    }

    /// <summary>Zeroed memory (16-byte aligned from the heap, 8 from the early heap); panics naming the size when exhausted.</summary>
    public static byte* Allocate(ulong size)
    {
        // Interrupts off: a handler that allocates must not enter the heap or the page tables mid-operation.
        ulong flags = InterruptFlag.SaveAndDisable();
        byte* block = AllocateWithInterruptsOff(size);
        InterruptFlag.Restore(flags);
        return block;
    }

    private static byte* AllocateWithInterruptsOff(ulong size)
    {
        // A nested allocation (while the heap itself is mid-operation) goes to the early heap.
        if (s_heapReady && !s_inHeap)
        {
            s_inHeap = true;
            var block = s_heap!.Allocate(size == 0 ? 1 : size);
            s_inHeap = false;
            if (block.IsError && Collector.Collector.Collect() == Collector.CollectionOutcome.Collected)
            {
                // Frames the collection gave back may serve this heap too.
                s_inHeap = true;
                block = s_heap.Allocate(size == 0 ? 1 : size);
                s_inHeap = false;
            }
            if (block.IsError)
                Panic.HeapExhausted(size, UsedBytes);
            return (byte*)block.Value;
        }
        return AllocateEarly(size);
    }

    /// <summary>Gives a block back (SystemNative_Free). Early-heap memory is kept; anything else is a bug.</summary>
    public static void Free(byte* pointer)
    {
        ulong flags = InterruptFlag.SaveAndDisable();
        FreeWithInterruptsOff(pointer);
        InterruptFlag.Restore(flags);
    }

    private static void FreeWithInterruptsOff(byte* pointer)
    {
        if (pointer == null || (pointer >= s_start && pointer < s_end))
            return;
        if (!s_heapReady || !s_heap!.Contains((ulong)pointer))
            Panic.Fail($"free of {Hex.Format((ulong)pointer)}, which no heap handed out");
        s_inHeap = true;
        var freed = s_heap.Free((ulong)pointer);
        s_inHeap = false;
        if (freed.IsError)
            Panic.Fail($"free of {Hex.Format((ulong)pointer)}: {freed.Error.Describe()}");
    }

    /// <summary>Bump allocation in the early heap; a request it cannot serve panics naming the early heap and its size.
    /// Internal for <c>strix.fail=early-heap</c> (FailureHooks), which proves that report.</summary>
    internal static byte* AllocateEarly(ulong size)
    {
        if (s_next == null)
        {
            BootLayout* layout = BootLayout.Current;
            s_start = (byte*)layout->EarlyHeapStart;
            s_next = s_start;
            s_end = (byte*)layout->EarlyHeapEnd;
        }
        // Compared before rounding up, which would wrap a request near 2^64 to 0. The free bytes are a multiple of 8
        // (both ends are 8-aligned), so a request that fits still fits rounded.
        if (size > FreeBytes)
            Panic.EarlyHeapExhausted(size, FreeBytes, EarlyHeapBytes);
        byte* result = s_next;
        s_next += (size + 7) & ~7UL;
        return result;
    }
}
