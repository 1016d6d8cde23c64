using System;
using System.Runtime;

namespace StrixOS.Runtime.Exceptions;

/// <summary>
/// The classlib's GetRuntimeException: the exception object for a failure the runtime detects
/// (an invalid cast in CoreLib's cast helpers, a null reference or division by zero from a CPU fault,
/// a throw of null). CoreLib's own version returns null unless its reflection layer is initialized,
/// which the kernel (compiled without reflection data) never does, so the kernel supplies this one.
/// IDs are CoreLib's System.Runtime.ExceptionIDs (checked against its metadata).
/// </summary>
internal static unsafe class RuntimeExceptionFactory
{
    private const int IndexOutOfRange = 5, InvalidCast = 6, ArrayTypeMismatch = 3;

    [RuntimeExport("StrixGetRuntimeException")]
    private static Exception? Create(int id) => id switch
    {
        1 => new OutOfMemoryException(),
        2 => new ArithmeticException(),
        3 => new ArrayTypeMismatchException(),
        4 => new DivideByZeroException(),
        5 => new IndexOutOfRangeException(),
        6 => new InvalidCastException(),
        7 => new OverflowException(),
        8 => new NullReferenceException(),
        9 => new AccessViolationException(),
        10 => new DataMisalignedException(),
        11 => new EntryPointNotFoundException(),
        12 => new System.Runtime.AmbiguousImplementationException(),
#pragma warning disable CS0618 // ExecutionEngineException is obsolete, and what .NET uses for these
        13 or 14 or 15 => new ExecutionEngineException(),
#pragma warning restore CS0618
        _ => null,
    };

    // CoreLib's cast and array-store helpers ask CoreLib's GetRuntimeException for their exception,
    // get null, and throw it; the dispatcher then asks this module for a NullReferenceException at
    // the helper's address. These creators give the exception the helper meant instead.
    [RuntimeExport("StrixCreateInvalidCastException")]
    private static Exception CreateInvalidCast(int ignoredId) => new InvalidCastException();

    [RuntimeExport("StrixCreateIndexOutOfRangeException")]
    private static Exception CreateIndexOutOfRange(int ignoredId) => new IndexOutOfRangeException();

    [RuntimeExport("StrixCreateArrayTypeMismatchException")]
    private static Exception CreateArrayTypeMismatch(int ignoredId) => new ArrayTypeMismatchException();

    /// <summary>The exception ID a CoreLib throw helper containing <paramref name="address"/> meant to throw.</summary>
    public static bool TryGetIntendedId(ulong address, out int id)
    {
        id = 0;
        if (!KernelCode.TryFindMethod(address - 1, out _, out Unwinding.ManagedMethodInfo method))
            return false;
        ref readonly ExceptionSymbols symbols = ref KernelCode.Symbols;
        var pairs = (ulong*)symbols.NullThrowingHelpers;
        for (ulong i = 0; i < symbols.NullThrowingHelperCount; i++)
        {
            if (pairs[2 * i] == method.MethodStart)
            {
                id = (int)pairs[2 * i + 1];
                return true;
            }
        }
        return false;
    }

    public static void* CreatorFor(int id) => id switch
    {
        InvalidCast => (delegate*<int, Exception>)&CreateInvalidCast,
        IndexOutOfRange => (delegate*<int, Exception>)&CreateIndexOutOfRange,
        ArrayTypeMismatch => (delegate*<int, Exception>)&CreateArrayTypeMismatch,
        _ => null,
    };
}
