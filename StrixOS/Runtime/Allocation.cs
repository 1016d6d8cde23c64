using System;
using System.Runtime;
using System.Runtime.CompilerServices;
using StrixOS.Diagnostics;
using StrixOS.Threading;

namespace StrixOS.Runtime;

/// <summary>
/// Object, array and string allocation entry points. An object is [header 8][MethodTable* 8][fields];
/// the reference points at the MethodTable pointer. MethodTable: uint flags (low 16 bits are the
/// component size of arrays and strings), uint base size (header included).
/// </summary>
internal static unsafe class Allocation
{
    private const uint HasComponentSizeFlag = 0x80000000;

    /// <summary>Bytes of every object allocated since boot (GC.GetTotalAllocatedBytes).</summary>
    public static ulong TotalAllocatedBytes;

    private static uint BaseSize(void* methodTable) => ((uint*)methodTable)[1];
    private static uint ComponentSize(void* methodTable) =>
        (((uint*)methodTable)[0] & HasComponentSizeFlag) != 0 ? ((uint*)methodTable)[0] & 0xFFFF : 0;

    private static object AsObject(byte* objectAddress)
    {
        IntPtr address = (IntPtr)objectAddress;
        return Unsafe.As<IntPtr, object>(ref address);
    }

    private static byte* NewObjectAddress(void* methodTable)
    {
        ulong size = BaseSize(methodTable);
        byte* obj = ObjectMemory(size) + sizeof(IntPtr);
        *(void**)obj = methodTable;
        return obj;
    }

    private static byte* NewArrayAddress(void* methodTable, int length)
    {
        if (length < 0)
            Panic.Fail($"array allocation with negative length {length}");
        ulong size = BaseSize(methodTable) + (ulong)length * ComponentSize(methodTable);
        byte* obj = ObjectMemory(size) + sizeof(IntPtr);
        *(void**)obj = methodTable;
        *(int*)(obj + sizeof(IntPtr)) = length;
        return obj;
    }

    /// <summary>
    /// Zeroed memory for an object of <paramref name="size"/> bytes. Collects first when the budget since the
    /// last collection is spent, and again before giving up; finalizers queued by those collections run
    /// here, before the new object exists (nothing unrooted is in flight while they run).
    /// </summary>
    private static byte* ObjectMemory(ulong size)
    {
        TotalAllocatedBytes += size;
        if (Collector.Collector.Charge(size) && Collector.Collector.Collect() == Collector.CollectionOutcome.Collected)
            Collector.FinalizerQueue.RunPending();
        byte* memory = KernelHeap.TryAllocateObject(size);
        if (memory == null)
        {
            if (Collector.Collector.Collect() == Collector.CollectionOutcome.Collected)
                Collector.FinalizerQueue.RunPending();
            memory = KernelHeap.TryAllocateObject(size);
            if (memory == null)
                Panic.HeapExhausted(size, KernelHeap.UsedBytes);
        }
        return memory;
    }

    private static object NewFinalizableObject(void* methodTable)
    {
        // Room first: growing the list can collect, and the new object is not a root until it is returned.
        Collector.FinalizerQueue.ReserveOne();
        byte* obj = NewObjectAddress(methodTable);
        Collector.FinalizerQueue.Register((ulong)obj);
        return AsObject(obj);
    }

    [RuntimeExport("RhpNewFast")]
    private static object NewFast(void* methodTable)
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

    [RuntimeExport("RhpNewArrayFast")]
    private static object NewArrayFast(void* methodTable, int length) => NewArray(methodTable, length);

    private static object NewArray(void* methodTable, int length)
    {
        Scheduler.DisablePreemption();
        object result = AsObject(NewArrayAddress(methodTable, length));
        Scheduler.EnablePreemption();
        return result;
    }

    [RuntimeExport("RhpNewPtrArrayFast")]
    private static object NewPtrArrayFast(void* methodTable, int length) => NewArray(methodTable, length);

    [RuntimeExport("RhNewString")]
    private static object NewString(void* methodTable, int length) => NewArray(methodTable, length);

    [RuntimeExport("RhAllocateNewObject")]
    private static void AllocateNewObject(void* methodTable, uint flags, void** result)
    {
        bool finalizable = Collector.FinalizerQueue.HasFinalizer((ulong)methodTable);
        Scheduler.DisablePreemption();
        if (finalizable)
            Collector.FinalizerQueue.ReserveOne();
        byte* obj = NewObjectAddress(methodTable);
        if (finalizable)
            Collector.FinalizerQueue.Register((ulong)obj);
        *result = obj;
        Scheduler.EnablePreemption();
    }

    [RuntimeExport("RhAllocateNewArray")]
    private static void AllocateNewArray(void* methodTable, uint length, uint flags, void** result)
    {
        if (length > int.MaxValue)
            Panic.Fail($"array allocation of {length} elements");
        Scheduler.DisablePreemption();
        *result = NewArrayAddress(methodTable, (int)length);
        Scheduler.EnablePreemption();
    }
}
