using StrixOS.Memory.Heap;
using StrixOS.Runtime.Exceptions;
using StrixOS.Runtime.GcInfo;
using StrixOS.Runtime.Unwinding;

namespace StrixOS.Runtime.Collector;

internal struct MarkResult
{
    public StackScanStatus StackStatus;
    public ulong Objects;
    public ulong Bytes;
    /// <summary>References that point at no plausible object (a MethodTable outside the image, an absurd size).</summary>
    public ulong BadReferences;
    public ulong FirstBad;
    /// <summary>Objects reached outside the object heap (frozen objects in the image, the early heap, CoreLib's
    /// frozen-object heap): traced, never freed.</summary>
    public ulong OutsideHeap;
    /// <summary>Interior roots (byrefs) that kept an object of the object heap alive.</summary>
    public ulong InteriorRoots;
    /// <summary>Pinned roots (pinned handles, pinned locals) met.</summary>
    public ulong PinnedRoots;
    /// <summary>Weak handles whose target is unreachable: a collection clears them.</summary>
    public uint WeakTargetsUnreached;
    /// <summary>Bit i set: probe address i was reached.</summary>
    public uint ProbesReached;
}

/// <summary>
/// The mark phase: traces every object reachable from the precise roots (stack, statics, strong and
/// pinned handles, objects waiting for their finalizer, then dependent handles whose primary was
/// reached, to a fixed point) by its GCDesc with an explicit mark stack, no recursion. Marks are kept
/// outside the objects, so the runtime's own objects stay usable while marking runs (a mark bit in the
/// MethodTable pointer broke the heap's own interface calls): a bitmap with one bit per 16 bytes of the
/// object heap (every object there starts 8 bytes into a 16-byte aligned block), and an
/// open-addressing set for the few objects elsewhere (the early heap, frozen objects), which are traced
/// but never freed. The collector allocates no objects: its tables are raw kernel-heap memory.
/// </summary>
internal static unsafe class Marker
{
    private static ulong* s_stack;
    private static ulong s_stackCapacity;
    private static ulong s_stackCount;
    private static ulong* s_marked;          // open addressing, 0 = empty
    private static ulong s_markedCapacity;   // a power of two
    private static ulong s_markedCount;
    private static ulong* s_bitmap;          // one bit per 16 bytes of [s_heapStart, s_heapEnd)
    private static ulong s_bitmapWords;
    private static ulong s_heapStart;
    private static ulong s_heapEnd;
    private static HeapAllocator? s_heap;
    private static MarkResult s_result;

    public static MarkResult Result => s_result;

    /// <summary>Marks from every root without freeing anything, then reports (the mark phase as a check).</summary>
    public static MarkResult MarkAndUnmark(ulong probe0 = 0, ulong probe1 = 0)
    {
        ulong flags = Plugs.InterruptFlag.SaveAndDisable();
        MarkFromRoots();
        var weak = new WeakCounter();
        HandleTable.ScanKind(HandleKind.Weak, ref weak);
        HandleTable.ScanKind(HandleKind.WeakTrackResurrection, ref weak);
        s_result.WeakTargetsUnreached = weak.Unreached;
        if (probe0 != 0 && IsMarked(probe0))
            s_result.ProbesReached |= 1;
        if (probe1 != 0 && IsMarked(probe1))
            s_result.ProbesReached |= 2;
        Plugs.InterruptFlag.Restore(flags);
        return s_result;
    }

    /// <summary>Clears the marks and marks everything reachable from the roots. The caller checks
    /// <see cref="MarkResult.StackStatus"/>: only a complete stack scan makes the marks trustworthy.</summary>
    public static void MarkFromRoots()
    {
        Begin();
        var visitor = new RootMarker();
        StackScanResult stack = StackRootScanner.Scan(ref visitor);
        s_result.StackStatus = stack.Status;
        StaticRootScanner.Scan(ref visitor);
        HandleTable.ScanStrong(ref visitor);
        FinalizerQueue.ScanReady(ref visitor);
        Drain();
        MarkDependents();
    }

    private static void Begin()
    {
        s_result = default;
        s_stackCount = 0;
        s_markedCount = 0;
        for (ulong i = 0; i < s_markedCapacity; i++)
            s_marked[i] = 0;
        s_heap = KernelHeap.ObjectHeap;
        if (s_heap == null)
        {
            s_heapStart = s_heapEnd = 0;
            return;
        }
        s_heapStart = s_heap.DataStart;
        s_heapEnd = s_heap.DataEnd;
        ulong words = ((s_heapEnd - s_heapStart) / 16 + 63) / 64;
        if (words > s_bitmapWords)
        {
            if (s_bitmap != null)
                KernelHeap.Free((byte*)s_bitmap);
            // Room to grow: the object heap is usually larger at the next collection.
            s_bitmapWords = words + words / 2 + 64;
            s_bitmap = (ulong*)KernelHeap.Allocate(s_bitmapWords * 8);
        }
        else
        {
            new System.Span<ulong>(s_bitmap, (int)words).Clear();
        }
    }

    /// <summary>Dependent handles: a reached primary keeps its secondary; repeat until nothing new.</summary>
    public static void MarkDependents()
    {
        bool changed = true;
        while (changed)
        {
            var dependents = new DependentMarker();
            HandleTable.ScanKind(HandleKind.Dependent, ref dependents);
            changed = dependents.Pushed != 0;
            Drain();
        }
    }

    /// <summary>Marks one more object (an object queued for its finalizer) and what it reaches.</summary>
    public static void MarkFrom(ulong obj)
    {
        Reach(obj);
        Drain();
    }

    private static bool InObjectHeap(ulong address) => address >= s_heapStart && address < s_heapEnd;

    /// <summary>Will a collection free this object? Only unmarked objects of the object heap die.</summary>
    public static bool IsDead(ulong obj) => obj != 0 && InObjectHeap(obj) && !IsMarked(obj);

    /// <summary>
    /// The mark bitmap's word for the <see cref="HeapAllocator.LiveStartsSpan"/> bytes of the object heap at
    /// <paramref name="address"/> (span-aligned, inside a region): bit i is the mark of the object in the cell at
    /// <c>address + 16 i</c> (an object is 8 bytes into its cell, in the same 16 bytes). What the sweep reads.
    /// </summary>
    public static ulong LiveStarts(ulong address)
    {
        if (!InObjectHeap(address) || ((address - s_heapStart) & (HeapAllocator.LiveStartsSpan - 1)) != 0)
            Diagnostics.Panic.Fail($"collector: the sweep asked for marks at {Diagnostics.Hex.Format(address)}, outside the marked heap [{Diagnostics.Hex.Format(s_heapStart)}, {Diagnostics.Hex.Format(s_heapEnd)}) or unaligned");
        return s_bitmap[(address - s_heapStart) >> 10];
    }

    public static bool IsMarked(ulong obj)
    {
        if (InObjectHeap(obj))
        {
            ulong bit = (obj - s_heapStart) >> 4;
            return (s_bitmap[bit >> 6] & (1UL << (int)(bit & 63))) != 0;
        }
        if (s_markedCapacity == 0)
            return false;
        ulong mask = s_markedCapacity - 1;
        for (ulong i = Hash(obj) & mask; ; i = (i + 1) & mask)
        {
            if (s_marked[i] == obj)
                return true;
            if (s_marked[i] == 0)
                return false;
        }
    }

    private static ulong Hash(ulong obj) => (obj >> 3) * 0x9E3779B97F4A7C15UL;

    /// <summary>Adds to the set of objects outside the object heap; false if it was there.</summary>
    private static bool MarkOutside(ulong obj)
    {
        if ((s_markedCount + 1) * 2 > s_markedCapacity)
            GrowMarkSet();
        ulong mask = s_markedCapacity - 1;
        for (ulong i = Hash(obj) & mask; ; i = (i + 1) & mask)
        {
            if (s_marked[i] == obj)
                return false;
            if (s_marked[i] == 0)
            {
                s_marked[i] = obj;
                s_markedCount++;
                return true;
            }
        }
    }

    private static void GrowMarkSet()
    {
        ulong* old = s_marked;
        ulong oldCapacity = s_markedCapacity;
        s_markedCapacity = oldCapacity == 0 ? 8192 : oldCapacity * 2;
        s_marked = (ulong*)KernelHeap.Allocate(s_markedCapacity * sizeof(ulong));
        s_markedCount = 0;
        for (ulong i = 0; i < oldCapacity; i++)
        {
            if (old[i] != 0)
                MarkOutside(old[i]);
        }
        if (old != null)
            KernelHeap.Free((byte*)old);
    }

    /// <summary>Marks one reference; pushes a newly reached object. True when it was new.</summary>
    private static bool Reach(ulong reference)
    {
        if (reference == 0)
            return false;
        if (InObjectHeap(reference))
        {
            ulong bit = (reference - s_heapStart) >> 4;
            ulong* word = s_bitmap + (bit >> 6);
            ulong mask = 1UL << (int)(bit & 63);
            if ((*word & mask) != 0)
                return false;
            *word |= mask;
        }
        else
        {
            // Frozen objects in the image, the early heap, CoreLib's frozen-object heap: never freed, but
            // traced, as a preinitialized static or an early object can come to hold heap references.
            if (!LooksLikeObject(reference))
            {
                Bad(reference);
                return false;
            }
            if (!MarkOutside(reference))
                return false;
            s_result.OutsideHeap++;
        }
        WordList.Push(ref s_stack, ref s_stackCount, ref s_stackCapacity, reference, initialCapacity: 4096);
        return true;
    }

    private static void Bad(ulong reference)
    {
        if (s_result.BadReferences == 0)
            s_result.FirstBad = reference;
        s_result.BadReferences++;
    }

    private static void Drain()
    {
        while (s_stackCount > 0)
        {
            ulong obj = s_stack[--s_stackCount];
            ulong methodTable = *(ulong*)obj;
            uint flags = *(uint*)methodTable;
            ulong size = *(uint*)(methodTable + 4);
            if ((flags & GcDescriptor.HasComponentSizeFlag) != 0)
                size += (ulong)*(uint*)(obj + 8) * (flags & 0xFFFF);
            size = (size + 7) & ~7UL;
            s_result.Objects++;
            s_result.Bytes += size;
            if ((flags & GcDescriptor.HasPointersFlag) == 0)
                continue;
            if (!TraceSeries(obj, methodTable, size))
            {
                // Arrays of structs (a negative series count), or a GCDesc the fast path will not read: the checked reader.
                var fields = new FieldTracer { Object = obj };
                if (!GcDescriptor.Enumerate(ImageView.Identity, methodTable, size, ref fields))
                    Bad(obj);
            }
        }
    }

    /// <summary>
    /// The common GCDesc (classes and arrays of references: a positive series count, see <see cref="GcDescriptor"/>)
    /// read straight from the image, each reference marked inline; false leaves the object to the checked reader.
    /// </summary>
    private static bool TraceSeries(ulong obj, ulong methodTable, ulong size)
    {
        long series = *(long*)(methodTable - 8);
        if (series <= 0 || series > 4096)
            return false;
        ulong end = size - 8;
        for (long i = 0; i < series; i++)
        {
            ulong* entry = (ulong*)(methodTable - 8 - (ulong)(i + 1) * 16);
            ulong bytes = entry[0] + size;
            ulong start = entry[1];
            if (start < 8 || start + bytes > end)
                return i == 0 ? false : BadSeries(obj);
            ulong* field = (ulong*)(obj + start);
            ulong* last = (ulong*)(obj + start + bytes);
            for (; field < last; field++)
            {
                ulong reference = *field;
                if (reference == 0)
                    continue;
                if (reference - s_heapStart < s_heapEnd - s_heapStart)
                {
                    ulong bit = (reference - s_heapStart) >> 4;
                    ulong* word = s_bitmap + (bit >> 6);
                    ulong mask = 1UL << (int)(bit & 63);
                    if ((*word & mask) != 0)
                        continue;
                    *word |= mask;
                    if (s_stackCount == s_stackCapacity)
                        WordList.Grow(ref s_stack, ref s_stackCount, ref s_stackCapacity, initialCapacity: 4096);
                    s_stack[s_stackCount++] = reference;
                }
                else
                {
                    Reach(reference);
                }
            }
        }
        return true;
    }

    private static bool BadSeries(ulong obj)
    {
        Bad(obj);
        return true;
    }

    public static ulong ObjectSize(ulong obj, ulong methodTable)
    {
        ulong size = GcDescriptor.BaseSize(ImageView.Identity, methodTable);
        uint component = GcDescriptor.ComponentSize(ImageView.Identity, methodTable);
        if (component != 0)
            size += (ulong)*(uint*)(obj + 8) * component;
        return (size + 7) & ~7UL;
    }

    /// <summary>An object starts with a MethodTable pointer into the kernel image whose base size is sane.</summary>
    public static bool LooksLikeObject(ulong address)
    {
        if ((address & 7) != 0 || address < 0xFFFF_8000_0000_0000)
            return false;
        ulong methodTable = *(ulong*)address;
        ulong imageBase = KernelCode.Symbols.ImageBase;
        if ((methodTable & 7) != 0 || methodTable < imageBase || methodTable >= imageBase + (256UL << 20))
            return false;
        uint baseSize = GcDescriptor.BaseSize(ImageView.Identity, methodTable);
        return baseSize >= 16 && baseSize < (1u << 20);
    }


    private struct RootMarker : IRootVisitor
    {
        public void Visit(ulong* slot, bool interior, bool pinned)
        {
            ulong value = *slot;
            if (value == 0)
                return;
            if (pinned)
                s_result.PinnedRoots++;
            if (interior)
            {
                // A byref keeps the object it points into alive; one outside the object heap points at
                // memory that is never freed (the stack, statics, frozen or native memory).
                if (!InObjectHeap(value))
                    return;
                ulong block = s_heap!.BlockContaining(value);
                if (block != 0)
                {
                    s_result.InteriorRoots++;
                    Reach(block + 8);
                }
                return;
            }
            Reach(value);
        }
    }

    private struct FieldTracer : IReferenceOffsetVisitor
    {
        public ulong Object;

        public void Visit(ulong offset) => Reach(*(ulong*)(Object + offset));
    }

    private struct DependentMarker : IRootVisitor
    {
        public uint Pushed;

        public void Visit(ulong* slot, bool interior, bool pinned)
        {
            ulong primary = slot[0];
            // A primary outside the object heap is never freed: it always keeps its secondary.
            if (primary == 0 || IsDead(primary))
                return;
            if (Reach(slot[1]))
                Pushed++;
        }
    }

    private struct WeakCounter : IRootVisitor
    {
        public uint Unreached;

        public void Visit(ulong* slot, bool interior, bool pinned)
        {
            if (IsDead(*slot))
                Unreached++;
        }
    }
}
