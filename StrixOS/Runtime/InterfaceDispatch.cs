using System;
using System.Runtime;
using System.Runtime.CompilerServices;
using StrixOS.Diagnostics;

namespace StrixOS.Runtime;

/// <summary>
/// Interface calls that the compiler could not devirtualise go through a dispatch cell
/// { stub, cache }. The stub (RhpInitialDynamicInterfaceDispatch, runtime.asm) asks
/// <see cref="ResolveInterfaceCall"/> for the target each time: no per-cell cache yet.
/// Cell encoding (ILC): cache &lt; 0x1000 with low bits 00 is a vtable offset; low bits 01 an
/// interface MethodTable pointer; 11 / 10 a (indirect) relative pointer to it. The slot sits in the
/// low 16 bits of the cache word of the cell that ends the group (the one whose stub is null).
/// </summary>
internal static unsafe class InterfaceDispatch
{
    private readonly struct Cell(nuint stub, nuint cache)
    {
        public readonly nuint Stub = stub;
        public readonly nuint Cache = cache;
    }

    /// <summary>Mirrors CoreLib's DispatchCellInfo.</summary>
    private struct DispatchCellInfo
    {
        public int CellType;          // 0 interface and slot, 1 metadata token, 2 vtable offset
        public void* InterfaceType;
        public ushort InterfaceSlot;
        public byte HasCache;
        public uint MetadataToken;
        public uint VTableOffset;
    }

    private const int InterfaceAndSlot = 0;
    private const int VTableOffset = 2;

    [MethodImpl(MethodImplOptions.InternalCall)]
    [RuntimeImport("RhResolveDispatch")]
    private static extern IntPtr ResolveDispatch(object target, void* interfaceType, ushort slot);

    private static DispatchCellInfo Decode(Cell* cell)
    {
        DispatchCellInfo info = default;
        info.HasCache = 0;
        info.MetadataToken = 0;
        nuint cache = cell->Cache;
        if (cache < 0x1000 && (cache & 3) == 0)
        {
            info.CellType = VTableOffset;
            info.VTableOffset = (uint)cache;
            return info;
        }
        Cell* last = cell;
        while (last->Stub != 0)
            last++;
        nuint slotAndType = last->Cache;
        info.CellType = (int)(slotAndType >> 16);
        info.InterfaceSlot = (ushort)slotAndType;
        switch (cache & 3)
        {
            case 1:
                info.InterfaceType = (void*)(cache & ~(nuint)3);
                break;
            case 3:
                info.InterfaceType = (void*)(((nuint)(&cell->Cache) + (nuint)(nint)(int)cache) & ~(nuint)3);
                break;
            case 2:
                info.InterfaceType = *(void**)(((nuint)(&cell->Cache) + (nuint)(nint)(int)cache) & ~(nuint)3);
                break;
            default:
                Panic.Fail($"interface dispatch cell {Hex.Format((ulong)cell)} holds a cache pointer StrixOS never creates");
                break;
        }
        return info;
    }

    [RuntimeExport("StrixResolveInterfaceCall")]
    private static IntPtr ResolveInterfaceCall(object target, Cell* cell)
    {
        if (target == null)
            Panic.Fail("interface method called on a null reference");
        DispatchCellInfo info = Decode(cell);
        if (info.CellType == VTableOffset)
        {
            byte* methodTable = *(byte**)Unsafe.As<object, IntPtr>(ref target);
            return *(IntPtr*)(methodTable + info.VTableOffset);
        }
        if (info.CellType != InterfaceAndSlot)
            Panic.Fail($"interface dispatch cell {Hex.Format((ulong)cell)} has unsupported type {info.CellType}");
        IntPtr code = ResolveDispatch(target, info.InterfaceType, info.InterfaceSlot);
        if (code == IntPtr.Zero)
            Panic.Fail($"no implementation of interface slot {info.InterfaceSlot} for this object");
        return code;
    }

    [RuntimeExport("RhpGetDispatchCellInfo")]
    private static void GetDispatchCellInfo(Cell* cell, DispatchCellInfo* info) => *info = Decode(cell);

    [RuntimeExport("RhpSearchDispatchCellCache")]
    private static IntPtr SearchDispatchCellCache(Cell* cell, void* instanceType) => IntPtr.Zero;

    [RuntimeExport("RhpUpdateDispatchCellCache")]
    private static IntPtr UpdateDispatchCellCache(Cell* cell, IntPtr target, void* instanceType, DispatchCellInfo* info) => target;
}
