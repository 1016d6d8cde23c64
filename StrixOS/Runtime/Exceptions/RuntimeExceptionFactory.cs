using System;
using System.Runtime;

namespace StrixOS.Runtime.Exceptions;

/// <summary>
/// The module's GetRuntimeException (ClassLibFunctionId 0), which the dispatcher asks through
/// RhpGetClasslibFunctionFromCodeAddress for the exception of a CPU fault (a null reference, a
/// division by zero) and for a throw of null. CoreLib's own cast and unbox helpers call CoreLib's
/// RuntimeExceptionHelpers.GetRuntimeException directly, which answers once System.Private.Reflection.Execution
/// has registered itself at start-up (--initassembly; before that it returns null). This one never
/// depends on that, so a fault early in start-up still gets its exception. IDs are CoreLib's
/// System.Runtime.ExceptionIDs (checked against its metadata).
/// </summary>
internal static unsafe class RuntimeExceptionFactory
{
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
}
