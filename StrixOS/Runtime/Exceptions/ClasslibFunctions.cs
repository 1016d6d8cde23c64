using System.Runtime;

namespace StrixOS.Runtime.Exceptions;

/// <summary>
/// RhpGetClasslibFunctionFromCodeAddress / ...FromEEType: the dispatcher asks the module that
/// owns the code (or the type) for its exception helpers. The kernel is one module: the table in
/// exceptions.asm (CoreLib's GetRuntimeException, AppendExceptionStackFrame, ...; the kernel's
/// own unhandled-exception report as FailFast).
/// </summary>
internal static unsafe class ClasslibFunctions
{
    [RuntimeExport("RhpGetClasslibFunctionFromCodeAddress")]
    private static void* FromCodeAddress(nint address, uint id) => Lookup(id);

    [RuntimeExport("RhpGetClasslibFunctionFromEEType")]
    private static void* FromEEType(void* methodTable, uint id) => Lookup(id);

    private static void* Lookup(uint id)
    {
        ref readonly ExceptionSymbols symbols = ref KernelCode.Symbols;
        return id < symbols.ClasslibFunctionCount ? ((void**)symbols.ClasslibFunctions)[id] : null;
    }
}
