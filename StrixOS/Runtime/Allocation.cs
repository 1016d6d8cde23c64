using System;
using System.Runtime;
using System.Runtime.CompilerServices;
using StrixOS.Diagnostics;
using StrixOS.Memory;
using StrixOS.Memory.Heap;
using StrixOS.Plugs;
using StrixOS.Runtime.Collector;
using StrixOS.Threading;

namespace StrixOS.Runtime;

/// <summary>
/// Object, array and string allocation entry points. An object is [header 8][MethodTable* 8][fields];
/// the reference points at the MethodTable pointer. MethodTable: uint flags (low 16 bits are the
/// component size of arrays and strings), uint base size (header included).
/// <para>The common path (RhpNewFast, RhpNewArrayFast, RhpNewPtrArrayFast, RhNewString: Collector/allocation.asm, a dozen
/// instructions as NativeAOT's own) bumps the running thread's allocation context (<see cref="AllocationContexts.Current"/>):
/// an object of up to <see cref="HeapAllocator.MaxCellBytes"/> becomes a cell of its chunk, the size rounded
/// to 16, the cell's first 32 bits (the header's padding half, which CoreLib never reads) saying its length for
/// the heap's walks. No lock, no heap call, no interrupt flag: nothing but the context is shared, nothing in it can
/// collect, and a thread preempted in it is in assembly, where a collection never stops it (it runs on to a safepoint).
/// The slow path (here) retires the context and takes a new chunk, collecting first when the budget is spent; larger
/// objects are page runs of their own.</para>
/// </summary>
internal static unsafe class Allocation
{
    private const uint HasComponentSizeFlag = 0x80000000;

    // Bytes of chunks handed to contexts, of large objects and early objects, less the unused tails given back.
    private static ulong s_handedOut;

    /// <summary>Bytes of every object allocated since boot (GC.GetTotalAllocatedBytes), in 16-byte cells.</summary>
    public static ulong TotalAllocatedBytes => s_handedOut - AllocationContexts.UnusedBytes();

    /// <summary>A retired context's unused tail was never allocated.</summary>
    public static void UncountUnused(ulong bytes) => s_handedOut -= bytes;

    private static uint BaseSize(void* methodTable) => ((uint*)methodTable)[1];
    private static uint ComponentSize(void* methodTable) =>
        (((uint*)methodTable)[0] & HasComponentSizeFlag) != 0 ? ((uint*)methodTable)[0] & 0xFFFF : 0;

    private static object AsObject(byte* objectAddress)
    {
        IntPtr address = (IntPtr)objectAddress;
        return Unsafe.As<IntPtr, object>(ref address);
    }

    /// <summary>The fast path's object: bumps the context, or 0 when the context has no room (or none yet).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* TryBump(ulong cellBytes)
    {
        AllocationContext* context = AllocationContexts.CurrentOrNull;
        if (context == null)
            return null;
        byte* cell = context->Pointer;
        if (cellBytes > (ulong)(context->Limit - cell))
            return null;
        context->Pointer = cell + cellBytes;
        *(uint*)cell = HeapAllocator.CellWord(cellBytes);
        return cell + sizeof(ulong);
    }

    private static ulong CellBytes(ulong objectBytes) => (objectBytes + 15) & ~15UL;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* NewObjectAddress(void* methodTable)
    {
        ulong cellBytes = CellBytes(BaseSize(methodTable));
        byte* obj = TryBump(cellBytes);
        if (obj == null)
            obj = ObjectMemory(cellBytes) + sizeof(ulong);
        *(void**)obj = methodTable;
        return obj;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* NewArrayAddress(void* methodTable, int length)
    {
        if (length < 0)
            ThrowNegativeLength();
        ulong cellBytes = CellBytes(BaseSize(methodTable) + (ulong)length * ComponentSize(methodTable));
        byte* obj = TryBump(cellBytes);
        if (obj == null)
            obj = ObjectMemory(cellBytes) + sizeof(ulong);
        *(void**)obj = methodTable;
        *(int*)(obj + sizeof(IntPtr)) = length;
        return obj;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNegativeLength() => throw new OverflowException();

    /// <summary>
    /// The slow path: zeroed memory for an object of <paramref name="cellBytes"/> (a multiple of 16), header
    /// included. Collects first when the budget since the last collection is spent, and again before giving up;
    /// finalizers queued by those collections run here, before the new object exists (nothing unrooted is in
    /// flight while they run).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static byte* ObjectMemory(ulong cellBytes)
    {
        if (!KernelHeap.ObjectHeapReady)
        {
            // Before the memory manager: never freed, never swept.
            s_handedOut += cellBytes;
            return KernelHeap.TryAllocateObject(cellBytes);
        }
        HeapAllocator heap = KernelHeap.ObjectHeap!;
        // The collector retired every context and marks only the heap it saw: an object made now would be swept.
        if (Collector.Collector.IsCollecting)
            Panic.Raw("allocation inside a collection (the collector and what it calls must not allocate)"u8);
        if (Collector.Collector.BudgetSpent)
            CollectAndFinalize();
        if (cellBytes > HeapAllocator.MaxCellBytes)
            return LargeObjectMemory(cellBytes);
        AllocationContext* context = AllocationContexts.Current;
        // A finalizer that ran above may have given this thread a new chunk with room.
        byte* cell = TryBump(cellBytes);
        if (cell != null)
            return cell - sizeof(ulong);
        cell = Refill(heap, context, cellBytes);
        if (cell == null)
        {
            CollectAndFinalize();
            cell = Refill(heap, context, cellBytes);
            if (cell == null)
                Panic.HeapExhausted(cellBytes, KernelHeap.UsedBytes);
        }
        return cell;
    }

    /// <summary>Retires <paramref name="context"/>, gives it a new chunk and cuts the first cell, of
    /// <paramref name="cellBytes"/>, from it; null when the heap has no chunk. Interrupts are off while the heap
    /// and the counters change.</summary>
    private static byte* Refill(HeapAllocator heap, AllocationContext* context, ulong cellBytes)
    {
        ulong flags = InterruptFlag.SaveAndDisable();
        ulong start = CollectionProfile.Now();
        AllocationContexts.Retire(context);
        Result<HeapChunk, HeapError> chunk = heap.TakeChunk(cellBytes);
        byte* cell = null;
        if (chunk.IsOk)
        {
            ulong bytes = chunk.Value.End - chunk.Value.Start;
            s_handedOut += bytes;
            Collector.Collector.Charge(bytes);
            cell = (byte*)chunk.Value.Start;
            context->Pointer = cell + cellBytes;
            context->Limit = (byte*)chunk.Value.End;
            *(uint*)cell = HeapAllocator.CellWord(cellBytes);
        }
        CollectionProfile.Refills++;
        CollectionProfile.RefillTicks += CollectionProfile.Now() - start;
        InterruptFlag.Restore(flags);
        return cell;
    }

    /// <summary>An object too large for a chunk: a page run of its own.</summary>
    private static byte* LargeObjectMemory(ulong bytes)
    {
        Collector.Collector.Charge(bytes);
        byte* memory = KernelHeap.TryAllocateObject(bytes);
        if (memory == null)
        {
            CollectAndFinalize();
            memory = KernelHeap.TryAllocateObject(bytes);
            if (memory == null)
                Panic.HeapExhausted(bytes, KernelHeap.UsedBytes);
        }
        s_handedOut += bytes;
        return memory;
    }

    private static void CollectAndFinalize()
    {
        if (Collector.Collector.Collect() == CollectionOutcome.Collected)
            FinalizerQueue.RunPending();
    }

    private static object NewFinalizableObject(void* methodTable)
    {
        // Room first: growing the list can collect, and the new object is not a root until it is returned.
        FinalizerQueue.ReserveOne();
        byte* obj = NewObjectAddress(methodTable);
        FinalizerQueue.Register((ulong)obj);
        return AsObject(obj);
    }

    /// <summary>RhpNewFast's slow path (allocation.asm jumps here when the context has no room).</summary>
    [RuntimeExport("StrixNewObjectSlow")]
    private static object NewObjectSlow(void* methodTable)
    {
        // Not preempted between taking the memory and handing the object back: no collection may see the block half made.
        Scheduler.DisablePreemption();
        object result = AsObject(NewObjectAddress(methodTable));
        Scheduler.EnablePreemption();
        return result;
    }

    [RuntimeExport("RhpNewFinalizable")]
    private static object NewFinalizable(void* methodTable)
    {
        Scheduler.DisablePreemption();
        object result = NewFinalizableObject(methodTable);
        Scheduler.EnablePreemption();
        return result;
    }

    /// <summary>The slow path of RhpNewArrayFast, RhpNewPtrArrayFast and RhNewString (allocation.asm): no room, or a negative length.</summary>
    [RuntimeExport("StrixNewArraySlow")]
    private static object NewArraySlow(void* methodTable, int length)
    {
        Scheduler.DisablePreemption();
        object result = AsObject(NewArrayAddress(methodTable, length));
        Scheduler.EnablePreemption();
        return result;
    }

    [RuntimeExport("RhAllocateNewObject")]
    private static void AllocateNewObject(void* methodTable, uint flags, void** result)
    {
        bool finalizable = FinalizerQueue.HasFinalizer((ulong)methodTable);
        Scheduler.DisablePreemption();
        if (finalizable)
            FinalizerQueue.ReserveOne();
        byte* obj = NewObjectAddress(methodTable);
        if (finalizable)
            FinalizerQueue.Register((ulong)obj);
        *result = obj;
        Scheduler.EnablePreemption();
    }

    [RuntimeExport("RhAllocateNewArray")]
    private static void AllocateNewArray(void* methodTable, uint length, uint flags, void** result)
    {
        if (length > int.MaxValue)
            throw new OverflowException();
        Scheduler.DisablePreemption();
        *result = NewArrayAddress(methodTable, (int)length);
        Scheduler.EnablePreemption();
    }
}
