using System;
using System.Runtime;
using StrixOS.Diagnostics;
using StrixOS.Drivers;
using StrixOS.Plugs;

namespace StrixOS.Cpu;

/// <summary>
/// Every CPU exception lands here (interrupts.asm). Faults .NET turns into exceptions (null
/// dereference, division by zero) resume as a throw (Runtime/Exceptions/HardwareExceptions.cs);
/// for the others the report names the vector, decodes the
/// error code, and gives CR2, RIP (with the C# method), RSP, CR3 and a backtrace; then the kernel
/// stops with the failure status. A fault while reporting gives a short raw report instead;
/// a kernel stack overflow arrives as a double fault on its own stack.
/// </summary>
public static unsafe class ExceptionHandler
{
    private static int s_depth;

    /// <summary>Test hook (<c>strix.fail=handler-fault</c>): the next report faults while it is being made.</summary>
    public static bool FaultWhileReporting { get; set; }

    [RuntimeExport("StrixCpuException")]
    private static void OnException(ExceptionFrame* frame)
    {
        ulong cr2 = X64.ReadCr2();
        if (++s_depth > 1)
        {
            // Allocation-free: the heap, the stack or the report itself may be what broke.
            Span<char> line = stackalloc char[Testing.TestProtocol.FaultLineCapacity];
            SerialPort.Com1.Write("\r\n"u8);
            if (Testing.TestProtocol.TryFormatFault(FaultReport.Describe(frame, cr2, X64.ReadCr3()), line, out int written))
                SerialPort.Com1.Write(line.Slice(0, written));
            SerialPort.Com1.Write("\r\n!!! STRIXOS CPU FAULT while reporting a CPU fault: vector "u8);
            SerialPort.Com1.WriteDecimal(frame->Vector);
            SerialPort.Com1.Write(" at RIP 0x"u8);
            WriteHexRaw(frame->Rip);
            SerialPort.Com1.Write("\r\n"u8);
            Machine.Shutdown(success: false);
        }
        if (FaultWhileReporting)
        {
            FaultWhileReporting = false;
            System.Threading.Volatile.Read(ref *(ulong*)0x10);   // a fault inside the handler, on purpose
        }
        // A null dereference or division by zero in managed code becomes its .NET exception, unless an
        // expected-fault test is armed: that test checks the CPU fault itself.
        if (!KernelTests.FaultRecovery.IsArmed && Runtime.Exceptions.HardwareExceptions.TryRedirect(frame, cr2))
        {
            s_depth--;
            return;
        }
        Testing.FaultInfo fault = FaultReport.Print(frame, cr2, X64.ReadCr3());
        // An in-kernel test that expects this fault continues from its saved context (never returns).
        s_depth--;
        KernelTests.FaultRecovery.ResumeAfter(fault);
        Machine.Shutdown(success: false);
    }

    private static void WriteHexRaw(ulong value)
    {
        for (int shift = 60; shift >= 0; shift -= 4)
            SerialPort.Com1.WriteByte((byte)"0123456789abcdef"[(int)((value >> shift) & 0xF)]);
    }
}
