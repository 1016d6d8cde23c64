using System.Runtime.InteropServices;
using StrixOS.Memory.Heap;
using StrixOS.Plugs;

namespace StrixOS.Runtime.Collector;

/// <summary>
/// The allocation contexts: <see cref="Current"/> is the running thread's (the allocation helpers read it on
/// every allocation; a thread switch sets it), the boot thread's lives here in static storage, and every other
/// thread's is <see cref="Register"/>ed so the collector can retire them all before it walks the heap
/// (<see cref="RetireAll"/>: an unused tail becomes a free cell, so regions are walkable).
/// </summary>
internal static unsafe class AllocationContexts
{
    private static AllocationContext s_boot;
    // Where the running thread's context pointer is: a word of allocation.asm, which the fast path reads. It
    // holds null until the first slow-path allocation points it at the boot context (the fast path then has no room).
    private static AllocationContext** s_currentSlot;

    [DllImport("*", EntryPoint = "StrixAllocationContextSlot"), SuppressGCTransition]
    private static extern AllocationContext** CurrentSlot();

    private static AllocationContext** Slot => s_currentSlot != null ? s_currentSlot : (s_currentSlot = CurrentSlot());
    private static ulong* s_registered;
    private static ulong s_registeredCount;
    private static ulong s_registeredCapacity;

    /// <summary>The running thread's context (read by the allocation fast path; null only before the first allocation).</summary>
    public static AllocationContext* CurrentOrNull => *Slot;

    /// <summary>The running thread's context; a thread switch sets it (to a <see cref="Register"/>ed context).</summary>
    public static AllocationContext* Current
    {
        get
        {
            AllocationContext** slot = Slot;
            if (*slot == null)
                *slot = Boot;
            return *slot;
        }
        set => *Slot = value;
    }

    /// <summary>The boot thread's context, in static storage (non-GC statics never move).</summary>
    public static AllocationContext* Boot
    {
        get
        {
            fixed (AllocationContext* boot = &s_boot)
                return boot;
        }
    }

    /// <summary>Adds a thread's context (empty, or retired) to those the collector retires. The boot context is always there.</summary>
    public static void Register(AllocationContext* context)
    {
        if (context == Boot || IndexOf(context) >= 0)
            return;
        ulong flags = InterruptFlag.SaveAndDisable();
        WordList.Push(ref s_registered, ref s_registeredCount, ref s_registeredCapacity, (ulong)context, initialCapacity: 16);
        InterruptFlag.Restore(flags);
    }

    /// <summary>Retires a thread's context (its unused tail goes back to the heap) and forgets it.</summary>
    public static void Unregister(AllocationContext* context)
    {
        ulong flags = InterruptFlag.SaveAndDisable();
        Retire(context);
        long index = IndexOf(context);
        if (index >= 0)
        {
            s_registered[index] = s_registered[s_registeredCount - 1];
            s_registeredCount--;
        }
        InterruptFlag.Restore(flags);
    }

    private static long IndexOf(AllocationContext* context)
    {
        for (ulong i = 0; i < s_registeredCount; i++)
        {
            if (s_registered[i] == (ulong)context)
                return (long)i;
        }
        return -1;
    }

    /// <summary>Gives the unused tail of <paramref name="context"/>'s chunk back to the object heap (a free cell) and empties it. Interrupts off.</summary>
    public static void Retire(AllocationContext* context)
    {
        if (context->Limit == null)
            return;
        HeapAllocator? heap = KernelHeap.ObjectHeap;
        Allocation.UncountUnused(context->UnusedBytes);
        heap!.ReturnChunkTail((ulong)context->Pointer, (ulong)context->Limit);
        context->Pointer = null;
        context->Limit = null;
    }

    /// <summary>Retires every context: what the collector does before it marks and sweeps. Interrupts off.</summary>
    public static void RetireAll()
    {
        Retire(Boot);
        for (ulong i = 0; i < s_registeredCount; i++)
            Retire((AllocationContext*)s_registered[i]);
    }

    /// <summary>Bytes handed to contexts and not used yet (what precise allocation counts leave out).</summary>
    public static ulong UnusedBytes()
    {
        ulong unused = s_boot.UnusedBytes;
        for (ulong i = 0; i < s_registeredCount; i++)
            unused += ((AllocationContext*)s_registered[i])->UnusedBytes;
        return unused;
    }
}
