using StrixOS.Memory.Heap;
using StrixOS.Runtime.GcInfo;
using StrixOS.Runtime.Unwinding;

namespace StrixOS.Runtime.Collector;

internal struct HeapVerifyResult
{
    public ulong Objects;
    public ulong References;
    /// <summary>Blocks whose object has no plausible MethodTable, or overruns its block.</summary>
    public ulong BadObjects;
    /// <summary>References to no valid object: into free memory, the middle of a block, or no object header.</summary>
    public ulong BadReferences;
    public ulong FirstBadReference;
    public ulong FirstBadHolder;
}

/// <summary>
/// <c>strix.gcverify</c>: after a collection, walks every block of the object heap and checks that it holds
/// a valid object (a MethodTable in the image, a size that fits the block) and that every reference in it
/// points at a valid object header: the start of a live block of the object heap plus 8, or a plausible
/// object outside it (frozen, early heap). A sweep that freed a live object shows up here as a reference
/// into a free block.
/// </summary>
internal static unsafe class HeapVerifier
{
    private static HeapAllocator? s_heap;
    private static HeapVerifyResult s_result;

    public static HeapVerifyResult Check(HeapAllocator heap)
    {
        // Chunks the allocation contexts hold are not walkable until their tails are free cells.
        ulong flags = Plugs.InterruptFlag.SaveAndDisable();
        AllocationContexts.RetireAll();
        Plugs.InterruptFlag.Restore(flags);
        s_heap = heap;
        s_result = default;
        foreach (HeapBlock block in heap.AllocatedBlocks)
        {
            ulong obj = block.Address + 8;
            s_result.Objects++;
            if (!Marker.LooksLikeObject(obj))
            {
                BadObject(obj);
                continue;
            }
            ulong methodTable = *(ulong*)obj;
            ulong size = Marker.ObjectSize(obj, methodTable);
            if (size > block.Size)   // the base size counts the header
            {
                BadObject(obj);
                continue;
            }
            if ((*(uint*)methodTable & GcDescriptor.HasPointersFlag) == 0)
                continue;
            var fields = new FieldChecker { Object = obj };
            if (!GcDescriptor.Enumerate(ImageView.Identity, methodTable, size, ref fields))
                BadObject(obj);
        }
        s_heap = null;
        return s_result;
    }

    private static void BadObject(ulong obj)
    {
        if (s_result.BadObjects == 0 && s_result.BadReferences == 0)
        {
            s_result.FirstBadHolder = obj;
            s_result.FirstBadReference = *(ulong*)obj;
        }
        s_result.BadObjects++;
    }

    /// <summary>A reference is valid when it is null, the object of a live block, or a plausible object elsewhere.</summary>
    public static bool IsValidReference(HeapAllocator heap, ulong reference)
    {
        if (reference == 0)
            return true;
        if (heap.Contains(reference))
            return heap.BlockContaining(reference) == reference - 8 && Marker.LooksLikeObject(reference);
        return Marker.LooksLikeObject(reference);
    }

    private struct FieldChecker : IReferenceOffsetVisitor
    {
        public ulong Object;

        public void Visit(ulong offset)
        {
            ulong reference = *(ulong*)(Object + offset);
            s_result.References++;
            if (IsValidReference(s_heap!, reference))
                return;
            if (s_result.BadObjects == 0 && s_result.BadReferences == 0)
            {
                s_result.FirstBadHolder = Object;
                s_result.FirstBadReference = reference;
            }
            s_result.BadReferences++;
        }
    }
}
