using StrixOS.Cpu;
using StrixOS.Testing;

namespace StrixOS.Diagnostics;

/// <summary>
/// The CPU fault report on the serial console: the machine-readable protocol line the host runner
/// reads (docs/testing.md), then the report for people. It lives with the other reports (Panic), so
/// that CPU set-up (Cpu/) does not depend on the test protocol.
/// </summary>
public static unsafe class FaultReport
{
    /// <summary>Prints the report and returns what it reported, for the in-kernel test runner.</summary>
    public static FaultInfo Print(ExceptionFrame* frame, ulong cr2, ulong cr3)
    {
        byte vector = (byte)frame->Vector;
        bool hasErrorCode = CpuExceptionInfo.HasErrorCode(vector);
        string errorText = (CpuException)vector switch
        {
            CpuException.PageFault => ErrorCodeText.DescribePageFaultError(frame->ErrorCode),
            CpuException.InvalidTss or CpuException.SegmentNotPresent or CpuException.StackSegmentFault
                or CpuException.GeneralProtection => ErrorCodeText.DescribeSelectorError(frame->ErrorCode),
            CpuException.DoubleFault => "always zero",
            _ => hasErrorCode ? "" : "none pushed",
        };
        string method = SymbolTable.Describe(frame->Rip);
        // The machine-readable line first (docs/testing.md), then the report for people.
        KernelLog.Raw("");
        FaultInfo fault = Describe(frame, cr2, cr3, method);
        KernelLog.Raw(TestProtocol.FormatFault(fault));
        KernelLog.Raw($"!!! STRIXOS CPU FAULT: {CpuExceptionInfo.Mnemonic(vector)} {CpuExceptionInfo.Name(vector)} (vector {vector})");
        KernelLog.Raw($"    error code {Hex.Format(frame->ErrorCode)}: {errorText}");
        if (vector == (byte)CpuException.PageFault)
            KernelLog.Raw($"    CR2 {Hex.Format(cr2)} (the address that faulted)");
        KernelLog.Raw($"    RIP {Hex.Format(frame->Rip)} in {method}");
        KernelLog.Raw($"    RSP {Hex.Format(frame->Rsp)}  RBP {Hex.Format(frame->Rbp)}  RFLAGS {Hex.Format(frame->Rflags)}  CS {frame->Cs:x}");
        KernelLog.Raw($"    CR3 {Hex.Format(cr3)}");
        string? guard = GuardPageOwner(frame->Rsp) ?? (vector == (byte)CpuException.PageFault ? GuardPageOwner(cr2) : null);
        if (guard != null)
            KernelLog.Raw($"    stack overflow: the {guard} ran into its guard page");
        KernelLog.Raw("  backtrace:");
        SerialPortWrite(Backtrace.Format(frame->Rip, frame->Rbp, frame->Rsp));
        return fault;
    }

    /// <summary>The fault as the test protocol reports it (the method name is optional: naming it may allocate).</summary>
    public static FaultInfo Describe(ExceptionFrame* frame, ulong cr2, ulong cr3, string? method = null) => new()
    {
        Vector = (byte)frame->Vector,
        HasErrorCode = CpuExceptionInfo.HasErrorCode((byte)frame->Vector),
        ErrorCode = frame->ErrorCode,
        Cr2 = cr2,
        Rip = frame->Rip,
        Rsp = frame->Rsp,
        Cr3 = cr3,
        MethodName = method,
    };

    private static string? GuardPageOwner(ulong address)
    {
        Boot.Stage.BootLayout* layout = Boot.Stage.BootLayout.Current;
        if (InPage(address, layout->StackGuard)) return "kernel stack";
        if (InPage(address, layout->DoubleFaultStackGuard)) return "double-fault stack";
        if (InPage(address, layout->NmiStackGuard)) return "NMI stack";
        if (InPage(address, layout->MachineCheckStackGuard)) return "machine-check stack";
        return ThreadGuardPageOwner(address);
    }

    /// <summary>A kernel thread's stack whose guard page (just below its bottom) holds <paramref name="address"/>, named
    /// with the thread's id, name and bounds; null when none.</summary>
    private static unsafe string? ThreadGuardPageOwner(ulong address)
    {
        if (!Threading.Scheduler.IsRunning)
            return null;
        for (Threading.ThreadControl* thread = Threading.Scheduler.AllThreads; thread != null; thread = thread->AllNext)
        {
            if (thread->StackBottom >= 4096 && InPage(address, thread->StackBottom - 4096))
                return $"stack of thread {thread->Id} \"{Threading.Scheduler.NameOf(thread)}\" [{Hex.Format(thread->StackBottom)}, {Hex.Format(thread->StackTop)})";
        }
        return null;
    }

    private static bool InPage(ulong address, ulong page) => address >= page && address < page + 4096;

    private static void SerialPortWrite(string text) => Drivers.SerialPort.Com1.Write(text);
}
