using System;
using System.Runtime;
using System.Runtime.CompilerServices;
using StrixOS.Diagnostics;

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
        byte* memory = KernelHeap.Allocate(BaseSize(methodTable));
        TotalAllocatedBytes += BaseSize(methodTable);
        byte* obj = memory + sizeof(IntPtr);
        *(void**)obj = methodTable;
        return obj;
    }

    private static byte* NewArrayAddress(void* methodTable, int length)
    {
        if (length < 0)
            Panic.Fail($"array allocation with negative length {length}");
        ulong size = BaseSize(methodTable) + (ulong)length * ComponentSize(methodTable);
        byte* memory = KernelHeap.Allocate(size);
        TotalAllocatedBytes += size;
        byte* obj = memory + sizeof(IntPtr);
        *(void**)obj = methodTable;
        *(int*)(obj + sizeof(IntPtr)) = length;
        return obj;
    }

    [RuntimeExport("RhpNewFast")]
    private static object NewFast(void* methodTable) => AsObject(NewObjectAddress(methodTable));

    [RuntimeExport("RhpNewFinalizable")]
    private static object NewFinalizable(void* methodTable) => AsObject(NewObjectAddress(methodTable));

    [RuntimeExport("RhpNewArrayFast")]
    private static object NewArrayFast(void* methodTable, int length) => AsObject(NewArrayAddress(methodTable, length));

    [RuntimeExport("RhpNewPtrArrayFast")]
    private static object NewPtrArrayFast(void* methodTable, int length) => AsObject(NewArrayAddress(methodTable, length));

    [RuntimeExport("RhNewString")]
    private static object NewString(void* methodTable, int length) => AsObject(NewArrayAddress(methodTable, length));

    [RuntimeExport("RhAllocateNewObject")]
    private static void AllocateNewObject(void* methodTable, uint flags, void** result) =>
        *result = NewObjectAddress(methodTable);

    [RuntimeExport("RhAllocateNewArray")]
    private static void AllocateNewArray(void* methodTable, uint length, uint flags, void** result)
    {
        if (length > int.MaxValue)
            Panic.Fail($"array allocation of {length} elements");
        *result = NewArrayAddress(methodTable, (int)length);
    }
}
