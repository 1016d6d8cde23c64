using System;
using System.Runtime;
using StrixOS.Diagnostics;

namespace StrixOS.Runtime;

/// <summary>
/// Where things end: a fail-fast, a stub entry point, or Main returning. (An unhandled exception
/// ends in Exceptions/UnhandledExceptionReport.cs.)
/// </summary>
internal static unsafe class Failures
{
    [RuntimeExport("RhpFallbackFailFast")]
    private static void FallbackFailFast() => Panic.Raw("runtime fail-fast (RhpFallbackFailFast)"u8);

    [RuntimeExport("StrixStubHit")]
    private static void StubHit(byte* name) => Panic.StubHit(name);

    [RuntimeExport("StrixMainReturned")]
    private static void MainReturned(int exitCode) =>
        Panic.Fail($"Kernel.Main returned ({exitCode}); a kernel must shut down or halt");
}
