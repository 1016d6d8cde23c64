using System;
using System.Runtime;
using System.Text;
using StrixOS.Diagnostics;

namespace StrixOS.Runtime.Exceptions;

/// <summary>
/// Where an exception nobody catches ends (CoreLib's dispatcher calls the module's FailFast when
/// its first pass finds no handler, before anything is unwound): the report names the exception's
/// type and message, its inner exceptions, and the stack from the throw site with C# method names
/// (and file:line where the image has DWARF line info), then the kernel stops with the failure status.
/// </summary>
internal static unsafe class UnhandledExceptionReport
{
    private const byte InstructionFaultFlag = 0x10;
    private static bool s_reporting;

    [RuntimeExport("StrixUnhandledExceptionFailFast")]
    private static void FailFast(int reason, object? exception, nint faultAddress, void* context)
    {
        // The report is the kernel's last act: no other thread is switched in while it is built (one whose exception also went
        // unhandled would find s_reporting set and end the kernel with the wrong message, and this report unprinted).
        global::StrixOS.Threading.Scheduler.DisablePreemption();
        if (s_reporting)
            Panic.Raw("an exception was thrown while reporting an unhandled exception"u8);
        s_reporting = true;
        if (exception is not Exception e)
        {
            Panic.Fail($"runtime fail-fast (reason {reason}) at {SymbolTable.Describe((ulong)faultAddress)}");
            return;
        }
        var details = new StringBuilder();
        for (Exception? inner = e.InnerException; inner != null; inner = inner.InnerException)
            details.Append("  inner exception ").Append(SymbolTable.TypeNameOf(inner)).Append(": ").Append(inner.Message).Append('\n');
        details.Append("  stack trace:\n");
        AppendThrowSiteStack(details);
        Panic.Fail($"unhandled exception {SymbolTable.TypeNameOf(e)}: {e.Message}", details.ToString());
    }

    /// <summary>The managed frames from the active exception's throw (or fault) site outwards.</summary>
    public static void AppendThrowSiteStack(StringBuilder text)
    {
        ulong exInfo = KernelCode.ActiveExInfo;
        if (exInfo == 0)
        {
            text.Append("    (no active exception)\n");
            return;
        }
        var context = *(LimitedContext**)(exInfo + ExceptionLayout.ExInfoContext);
        bool fault = (*(byte*)(exInfo + ExceptionLayout.ExInfoKind) & InstructionFaultFlag) != 0;
        FrameIteratorState frame;
        for (bool valid = StackFrameIteration.InitFromContext(&frame, context, fault); valid;
             valid = StackFrameIteration.Next(&frame, null))
        {
            text.Append("    at ").Append(SymbolTable.Describe(frame.ControlPC))
                .Append(SourceLineTable.Suffix(frame.ControlPC, frame.Code.PcStart)).Append('\n');
        }
    }
}
