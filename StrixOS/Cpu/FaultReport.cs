using StrixOS.Diagnostics;

namespace StrixOS.Cpu;

/// <summary>The person-readable CPU fault report on the serial console.</summary>
public static unsafe class FaultReport
{
    public static void Print(ExceptionFrame* frame, ulong cr2, ulong cr3)
    {
        ulong vector = frame->Vector;
        string errorText = vector switch
        {
            CpuExceptionNames.PageFault => CpuExceptionNames.DescribePageFaultError(frame->ErrorCode),
            10 or 11 or 12 or CpuExceptionNames.GeneralProtection => CpuExceptionNames.DescribeSelectorError(frame->ErrorCode),
            CpuExceptionNames.DoubleFault => "always zero",
            _ => CpuExceptionNames.HasErrorCode(vector) ? "" : "none pushed",
        };
        KernelLog.Raw("");
        KernelLog.Raw($"!!! STRIXOS CPU FAULT: {CpuExceptionNames.Mnemonic(vector)} {CpuExceptionNames.Name(vector)} (vector {vector})");
        KernelLog.Raw($"    error code {Hex.Format(frame->ErrorCode)}: {errorText}");
        if (vector == CpuExceptionNames.PageFault)
            KernelLog.Raw($"    CR2 {Hex.Format(cr2)} (the address that faulted)");
        KernelLog.Raw($"    RIP {Hex.Format(frame->Rip)} in {SymbolTable.Describe(frame->Rip)}");
        KernelLog.Raw($"    RSP {Hex.Format(frame->Rsp)}  RBP {Hex.Format(frame->Rbp)}  RFLAGS {Hex.Format(frame->Rflags)}  CS {frame->Cs:x}");
        KernelLog.Raw($"    CR3 {Hex.Format(cr3)}");
        string? guard = GuardPageOwner(frame->Rsp) ?? (vector == CpuExceptionNames.PageFault ? GuardPageOwner(cr2) : null);
        if (guard != null)
            KernelLog.Raw($"    stack overflow: the {guard} ran into its guard page");
        KernelLog.Raw("  backtrace:");
        SerialPortWrite(Backtrace.Format(frame->Rip, frame->Rbp));
    }

    private static string? GuardPageOwner(ulong address)
    {
        Boot.Stage.BootLayout* layout = Boot.Stage.BootLayout.Current;
        if (InPage(address, layout->StackGuard)) return "kernel stack";
        if (InPage(address, layout->DoubleFaultStackGuard)) return "double-fault stack";
        if (InPage(address, layout->NmiStackGuard)) return "NMI stack";
        if (InPage(address, layout->MachineCheckStackGuard)) return "machine-check stack";
        return null;
    }

    private static bool InPage(ulong address, ulong page) => address >= page && address < page + 4096;

    private static void SerialPortWrite(string text) => Drivers.SerialPort.Com1.Write(text);
}
