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
    private static byte* _next;
    private static byte* _end;
    private static byte* _start;
    // Reference statics live in a GC static block that CoreLib's start-up allocates with this very
    // heap, so _heap may be read only once _heapReady (a plain non-GC static, zero at load) says so.
    private static bool _heapReady;
    private static HeapAllocator? _heap;
    private static bool _inHeap;
    // The garbage-collected object heap: a second HeapAllocator (same backing) that holds only objects.
    private static bool _objectsReady;
    private static HeapAllocator? _objects;

    /// <summary>Bytes in use in every heap: the early heap's bump area, the kernel heap's and the object heap's live blocks.</summary>
    public static ulong UsedBytes => EarlyHeapUsedBytes + (_heapReady ? _heap!.BytesInUse : 0) + (_objectsReady ? _objects!.BytesInUse : 0);
    public static ulong EarlyHeapUsedBytes => (ulong)(_next - _start);
    public static ulong FreeBytes => (ulong)(_end - _next);
    /// <summary>Bytes in live blocks of the heap that serves raw allocations now (the early heap's before <see cref="Use"/>).</summary>
    public static ulong BytesInUse => _heapReady ? _heap!.BytesInUse : EarlyHeapUsedBytes;
    /// <summary>The object heap, once it exists (null before <see cref="Use"/>).</summary>
    public static HeapAllocator? ObjectHeap => _objectsReady ? _objects : null;
    /// <summary>The kernel heap for raw blocks, once it exists.</summary>
    public static HeapAllocator? RawHeap => _heapReady ? _heap : null;

    /// <summary>
    /// Is the address inside memory either heap hands out (the early heap in the image's BSS, or the
    /// page-table heap's virtual range)? Objects elsewhere (frozen objects in the image) are not heap.
    /// </summary>
    public static bool Contains(ulong address) =>
        address >= (ulong)_start && address < (ulong)_next
        || address >= KernelHeapLayout.Start && address < KernelHeapLayout.ObjectHeapStart + KernelHeapLayout.ObjectHeapMaxBytes;

    /// <summary>The page-table heap serves every allocation from now on.</summary>
    public static void Use(HeapAllocator heap)
    {
        _heap = heap;
        _heapReady = true;
        // Objects get their own heap, right after this one in the same P4 slot, so the collector can walk
        // and sweep it knowing every block is an object. (This HeapAllocator is itself allocated from the
        // kernel heap above: objects made before the object heap exists are never freed.)
        Result<HeapAllocator, HeapError> objects = HeapAllocator.Create(KernelHeapLayout.ObjectHeapStart,
            KernelHeapLayout.ObjectHeapMaxBytes, heap.Backing);
        if (objects.IsError)
            Panic.Fail($"object heap: {objects.Error.Describe()}");
        _objects = objects.Value;
        _objectsReady = true;
    }

    /// <summary>
    /// Zeroed memory for an object: from the object heap once it exists (null when it is exhausted: the
    /// caller collects and tries again), before that from the kernel or early heap (never freed).
    /// </summary>
    public static byte* TryAllocateObject(ulong size)
    {
        if (!_objectsReady)
            return Allocate(size);
        ulong flags = InterruptFlag.SaveAndDisable();
        Result<ulong, HeapError> block = _objects!.Allocate(size == 0 ? 1 : size);
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
        if (_heapReady && !_inHeap)
        {
            _inHeap = true;
            var block = _heap!.Allocate(size == 0 ? 1 : size);
            _inHeap = false;
            if (block.IsError && Collector.Collector.Collect() == Collector.CollectionOutcome.Collected)
            {
                // Frames the collection gave back may serve this heap too.
                _inHeap = true;
                block = _heap.Allocate(size == 0 ? 1 : size);
                _inHeap = false;
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
        if (pointer == null || (pointer >= _start && pointer < _end))
            return;
        if (!_heapReady || !_heap!.Contains((ulong)pointer))
            Panic.Fail($"free of {Hex.Format((ulong)pointer)}, which no heap handed out");
        _inHeap = true;
        var freed = _heap.Free((ulong)pointer);
        _inHeap = false;
        if (freed.IsError)
            Panic.Fail($"free of {Hex.Format((ulong)pointer)}: {freed.Error.Describe()}");
    }

    private static byte* AllocateEarly(ulong size)
    {
        size = (size + 7) & ~7UL;
        if (_next == null)
        {
            BootLayout* layout = BootLayout.Current;
            _start = (byte*)layout->EarlyHeapStart;
            _next = _start;
            _end = (byte*)layout->EarlyHeapEnd;
        }
        if (size > (ulong)(_end - _next))
            Panic.OutOfMemory(size, FreeBytes);
        byte* result = _next;
        _next += size;
        return result;
    }
}
