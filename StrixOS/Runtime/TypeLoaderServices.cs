using System;
using System.Runtime;
using System.Runtime.InteropServices;

namespace StrixOS.Runtime;

/// <summary>
/// What CoreLib's type loader (System.Private.TypeLoader: generic virtual methods, generic dictionaries,
/// LINQ over shared generics) asks of the runtime: where a stub jumps, how big a type's GC description
/// is, and new interface dispatch cells.
/// </summary>
internal static unsafe class TypeLoaderServices
{
    [DllImport("*", EntryPoint = "strix_initial_dispatch_stub"), SuppressGCTransition]
    private static extern nuint InitialDispatchStub();

    /// <summary>
    /// The code an unboxing stub or a jump stub leads to; other code is its own target. ILC's x64
    /// unboxing stub is <c>add rdi, 8; jmp rel32</c>; an import stub is <c>jmp [rip+rel32]</c>.
    /// </summary>
    [RuntimeExport("RhGetCodeTarget")]
    private static byte* GetCodeTarget(byte* code)
    {
        if (code[0] == 0x48 && code[1] == 0x83 && code[2] == 0xC7 && code[3] == 0x08 && code[4] == 0xE9)
            return code + 9 + *(int*)(code + 5);
        if (code[0] == 0xE9)
            return code + 5 + *(int*)(code + 1);
        if (code[0] == 0xFF && code[1] == 0x25)
            return *(byte**)(code + 6 + *(int*)(code + 2));
        return code;
    }

    /// <summary>
    /// The method behind an unboxing-and-instantiating stub. ILC compiles those stubs as ordinary
    /// methods (no recognisable pattern), so like the native runtime on this path the answer is
    /// "not such a stub" (zero) and the caller falls back to <c>RhGetCodeTarget</c>.
    /// </summary>
    [RuntimeExport("RhGetTargetOfUnboxingAndInstantiatingStub")]
    private static byte* GetTargetOfUnboxingAndInstantiatingStub(byte* code) => null;

    /// <summary>
    /// Bytes of GC description in front of a MethodTable: a series count, then 16-byte series (count &gt; 0)
    /// or one series and 8-byte repeating items (count &lt; 0, arrays of structs). None without GC pointers.
    /// </summary>
    [RuntimeExport("RhGetGCDescSize")]
    private static int GetGCDescSize(uint* methodTable)
    {
        const uint HasPointers = 0x01000000;
        if ((*methodTable & HasPointers) == 0)
            return 0;
        long series = *((long*)methodTable - 1);
        return series >= 0 ? (int)(8 + series * 16) : (int)(8 + 16 + (-series - 1) * 8);
    }

    /// <summary>A dispatch cell pair {stub, interface | 1}, {0, slot}, as ILC lays them out (see InterfaceDispatch).</summary>
    [RuntimeExport("RhNewInterfaceDispatchCell")]
    private static nuint* NewInterfaceDispatchCell(void* interfaceType, int slot)
    {
        var cell = (nuint*)KernelHeap.Allocate(4 * (ulong)sizeof(nuint));
        cell[0] = InitialDispatchStub();
        cell[1] = (nuint)interfaceType | 1;
        cell[2] = 0;
        cell[3] = (nuint)(uint)slot;
        return cell;
    }

    /// <summary>One generation (the collector is not generational): every object is in generation 0.</summary>
    [RuntimeExport("RhGetGeneration")]
    private static int GetGeneration(object obj) => 0;
}
