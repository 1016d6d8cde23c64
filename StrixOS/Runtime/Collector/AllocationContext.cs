using System.Runtime.InteropServices;

namespace StrixOS.Runtime.Collector;

/// <summary>
/// Where a thread bump-allocates objects: [<see cref="Pointer"/>, <see cref="Limit"/>) is the zeroed rest of a
/// chunk of the object heap (<see cref="Memory.Heap.HeapAllocator.TakeChunk"/>). The allocation helpers cut
/// cells from it without calling the heap; when an object does not fit they retire it and take a new chunk.
/// Both null: no chunk (a new thread, or after the collector retired it). Two words, as NativeAOT's
/// gc_alloc_context starts: a thread's control block holds one (<see cref="AllocationContexts"/>).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct AllocationContext
{
    public byte* Pointer;
    public byte* Limit;

    /// <summary>Bytes of the chunk not yet used.</summary>
    public readonly ulong UnusedBytes => (ulong)(Limit - Pointer);
}
