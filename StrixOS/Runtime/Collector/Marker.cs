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
    /// <summary>References to objects outside the heap (frozen objects in the image): not traced.</summary>
    public ulong OutsideHeap;
    /// <summary>Interior roots (byrefs): not traced yet, they need the heap's block lookup.</summary>
    public ulong InteriorRoots;
    /// <summary>Weak handles whose target is unreachable: a collection would clear them.</summary>
    public uint WeakTargetsUnreached;
    /// <summary>Bit i set: probe address i was reached.</summary>
    public uint ProbesReached;
}

/// <summary>
/// The mark phase, run as a check (nothing is freed yet): traces every object reachable from the
/// precise roots (stack, statics, strong handles, then dependent handles whose primary was
/// reached, to a fixed point) by its GCDesc with an explicit mark stack, no recursion. Marks are
/// kept in a side table (an open-addressing set of object addresses in raw kernel-heap memory),
/// not in the objects: the runtime's own objects stay usable while marking runs (a mark bit in
/// the MethodTable pointer broke the heap's own interface calls), and nothing needs unmarking.
/// Each reference is checked to point at a plausible object header.
/// </summary>
internal static unsafe class Marker
{
    private static ulong* s_stack;
    private static ulong s_stackCapacity;
    private static ulong s_stackCount;
    private static ulong* s_marked;          // open addressing, 0 = empty
    private static ulong s_markedCapacity;   // a power of two
    private static ulong s_markedCount;
    private static MarkResult s_result;

    public static MarkResult MarkAndUnmark(ulong probe0 = 0, ulong probe1 = 0)
    {
        s_result = default;
        s_stackCount = 0;
        s_markedCount = 0;
        for (ulong i = 0; i < s_markedCapacity; i++)
            s_marked[i] = 0;
        var visitor = new RootMarker();
        StackScanResult stack = StackRootScanner.Scan(ref visitor);
        s_result.StackStatus = stack.Status;
        StaticRootScanner.Scan(ref visitor);
        HandleTable.ScanStrong(ref visitor);
        Drain();

        // Dependent handles: a reached primary keeps its secondary; repeat until nothing new.
        bool changed = true;
        while (changed)
        {
            var dependents = new DependentMarker();
            HandleTable.ScanKind(HandleKind.Dependent, ref dependents);
            changed = dependents.Pushed != 0;
            Drain();
        }

        var weak = new WeakCounter();
        HandleTable.ScanKind(HandleKind.Weak, ref weak);
        HandleTable.ScanKind(HandleKind.WeakTrackResurrection, ref weak);
        s_result.WeakTargetsUnreached = weak.Unreached;
        if (probe0 != 0 && IsMarked(probe0))
            s_result.ProbesReached |= 1;
        if (probe1 != 0 && IsMarked(probe1))
            s_result.ProbesReached |= 2;
        return s_result;
    }

    private static ulong Hash(ulong obj) => (obj >> 3) * 0x9E3779B97F4A7C15UL;

    private static bool IsMarked(ulong obj)
    {
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

    /// <summary>Adds to the mark set; false if it was there.</summary>
    private static bool Mark(ulong obj)
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
        for (ulong i = 0; i < s_markedCapacity; i++)
            s_marked[i] = 0;
        s_markedCount = 0;
        for (ulong i = 0; i < oldCapacity; i++)
        {
            if (old[i] != 0)
                Mark(old[i]);
        }
        if (old != null)
            KernelHeap.Free((byte*)old);
    }

    /// <summary>Checks and marks one reference; pushes a newly reached heap object.</summary>
    private static bool Reach(ulong reference)
    {
        if (reference == 0)
            return false;
        if (!KernelHeap.Contains(reference))
        {
            if (!LooksLikeObject(reference))
                Bad(reference);
            else
                s_result.OutsideHeap++;
            return false;
        }
        if (IsMarked(reference))
            return false;
        if (!LooksLikeObject(reference))
        {
            Bad(reference);
            return false;
        }
        Mark(reference);
        Push(ref s_stack, ref s_stackCapacity, ref s_stackCount, reference);
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
            ulong size = ObjectSize(obj, methodTable);
            s_result.Objects++;
            s_result.Bytes += size;
            var fields = new FieldTracer { Object = obj };
            if (!GcDescriptor.Enumerate(ImageView.Identity, methodTable, size, ref fields))
                Bad(obj);
        }
    }

    private static ulong ObjectSize(ulong obj, ulong methodTable)
    {
        ulong size = GcDescriptor.BaseSize(ImageView.Identity, methodTable);
        uint component = GcDescriptor.ComponentSize(ImageView.Identity, methodTable);
        if (component != 0)
            size += (ulong)*(uint*)(obj + 8) * component;
        return (size + 7) & ~7UL;
    }

    /// <summary>An object starts with a MethodTable pointer into the kernel image whose base size is sane.</summary>
    private static bool LooksLikeObject(ulong address)
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

    /// <summary>A growable array of words in raw kernel-heap memory (the collector does not allocate objects).</summary>
    private static void Push(ref ulong* array, ref ulong capacity, ref ulong count, ulong value)
    {
        if (count == capacity)
        {
            ulong grown = capacity == 0 ? 4096 : capacity * 2;
            var bigger = (ulong*)KernelHeap.Allocate(grown * sizeof(ulong));
            for (ulong i = 0; i < count; i++)
                bigger[i] = array[i];
            if (array != null)
                KernelHeap.Free((byte*)array);
            array = bigger;
            capacity = grown;
        }
        array[count++] = value;
    }

    private struct RootMarker : IRootVisitor
    {
        public void Visit(ulong* slot, bool interior, bool pinned)
        {
            if (interior)
            {
                if (*slot != 0)
                    s_result.InteriorRoots++;
                return;
            }
            Reach(*slot);
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
            if (primary == 0 || !KernelHeap.Contains(primary) || !IsMarked(primary))
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
            ulong target = *slot;
            if (target != 0 && KernelHeap.Contains(target) && !IsMarked(target))
                Unreached++;
        }
    }
}
