using StrixOS.Boot.Stage;
using StrixOS.Diagnostics;

namespace StrixOS.Runtime;

/// <summary>
/// Where `new` gets its memory: a bump allocator over the early heap the boot stage reserves in
/// the kernel's BSS (4 MiB). Nothing is freed yet (there is no garbage collector); objects are laid out
/// back to back, each with its header, so a collector can later walk them.
/// </summary>
public static unsafe class KernelHeap
{
    private static byte* _next;
    private static byte* _end;
    private static byte* _start;

    /// <summary>The heap starts on first use (CoreLib's start-up allocates before Main runs).</summary>
    private static void Initialize()
    {
        BootLayout* layout = BootLayout.Current;
        _start = (byte*)layout->EarlyHeapStart;
        _next = _start;
        _end = (byte*)layout->EarlyHeapEnd;
    }

    public static ulong UsedBytes => (ulong)(_next - _start);
    public static ulong FreeBytes => (ulong)(_end - _next);

    /// <summary>Zeroed, 8-byte-aligned memory; panics (naming the size) when the heap is exhausted.</summary>
    public static byte* Allocate(ulong size)
    {
        size = (size + 7) & ~7UL;
        if (_next == null)
            Initialize();
        if (size > (ulong)(_end - _next))
            Panic.OutOfMemory(size, FreeBytes);
        byte* result = _next;
        _next += size;
        return result;
    }
}
