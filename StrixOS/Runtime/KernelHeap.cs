using StrixOS.Boot.Stage;
using StrixOS.Diagnostics;
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

    public static ulong UsedBytes => (ulong)(_next - _start);
    public static ulong FreeBytes => (ulong)(_end - _next);
    /// <summary>Bytes in live blocks of the heap that serves <c>new</c> now (the early heap's before <see cref="Use"/>).</summary>
    public static ulong BytesInUse => _heapReady ? _heap!.BytesInUse : UsedBytes;

    /// <summary>
    /// Is the address inside memory either heap hands out (the early heap in the image's BSS, or the
    /// page-table heap's virtual range)? Objects elsewhere (frozen objects in the image) are not heap.
    /// </summary>
    public static bool Contains(ulong address) =>
        address >= (ulong)_start && address < (ulong)_next
        || address >= Memory.Heap.KernelHeapLayout.Start && address < Memory.Heap.KernelHeapLayout.Start + Memory.Heap.KernelHeapLayout.DefaultMaxBytes;

    /// <summary>The page-table heap serves every allocation from now on.</summary>
    public static void Use(HeapAllocator heap)
    {
        _heap = heap;
        _heapReady = true;
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
            if (block.IsError)
                Panic.HeapExhausted(size, _heap.BytesInUse);
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
