using System;
using System.Runtime;
using StrixOS.Diagnostics;

namespace StrixOS.Runtime;

/// <summary>
/// Where things end: a thrown exception (there is no exception handling yet, so every throw is a
/// panic naming the exception), a fail-fast, a stub entry point, or Main returning.
/// </summary>
internal static unsafe class Failures
{
    private static bool _reportingException;

    [RuntimeExport("RhpThrowEx")]
    private static void ThrowEx(object exception)
    {
        if (_reportingException)
            Panic.Raw("an exception was thrown while reporting an exception"u8);
        _reportingException = true;
        if (exception is Exception e)
            Panic.Fail($"unhandled exception {SymbolTable.TypeNameOf(e)}: {e.Message}");
        Panic.Fail("unhandled throw of a non-exception object");
    }

    [RuntimeExport("RhpFallbackFailFast")]
    private static void FallbackFailFast() => Panic.Raw("runtime fail-fast (RhpFallbackFailFast)"u8);

    [RuntimeExport("StrixStubHit")]
    private static void StubHit(byte* name) => Panic.StubHit(name);

    [RuntimeExport("StrixMainReturned")]
    private static void MainReturned(int exitCode) =>
        Panic.Fail($"Kernel.Main returned ({exitCode}); a kernel must shut down or halt");
}
