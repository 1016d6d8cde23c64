using System;
using System.Runtime;
using StrixOS.Diagnostics;
using StrixOS.Drivers;
using StrixOS.Plugs;

namespace StrixOS.Cpu;

/// <summary>
/// Every CPU exception lands here (interrupts.asm). The report names the vector, decodes the
/// error code, and gives CR2, RIP (with the C# method), RSP, CR3 and a backtrace; then the kernel
/// stops with the failure status. A fault while reporting gives a short raw report instead;
/// a kernel stack overflow arrives as a double fault on its own stack.
/// </summary>
public static unsafe class ExceptionHandler
{
    private static int _depth;

    [RuntimeExport("StrixCpuException")]
    private static void OnException(ExceptionFrame* frame)
    {
        ulong cr2 = X64.ReadCr2();
        if (++_depth > 1)
        {
            SerialPort.Com1.Write("\r\n!!! STRIXOS CPU FAULT while reporting a CPU fault: vector "u8);
            SerialPort.Com1.WriteDecimal(frame->Vector);
            SerialPort.Com1.Write(" at RIP 0x"u8);
            WriteHexRaw(frame->Rip);
            SerialPort.Com1.Write("\r\n"u8);
            Machine.Shutdown(success: false);
        }
        Testing.FaultInfo fault = FaultReport.Print(frame, cr2, X64.ReadCr3());
        // An in-kernel test that expects this fault continues from its saved context (never returns).
        _depth--;
        KernelTests.FaultRecovery.ResumeAfter(fault);
        Machine.Shutdown(success: false);
    }

    private static void WriteHexRaw(ulong value)
    {
        for (int shift = 60; shift >= 0; shift -= 4)
            SerialPort.Com1.WriteByte((byte)"0123456789abcdef"[(int)((value >> shift) & 0xF)]);
    }
}
