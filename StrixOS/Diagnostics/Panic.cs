using System;
using System.Diagnostics.CodeAnalysis;
using StrixOS.Drivers;
using StrixOS.Plugs;

namespace StrixOS.Diagnostics;

/// <summary>
/// The end of the road: report on the serial console, then leave QEMU with the failure status
/// (or halt with interrupts off where there is no exit device, so the console stays readable).
/// The raw forms allocate nothing, for when the heap itself is the problem.
/// </summary>
public static unsafe class Panic
{
    private static bool _panicking;

    [DoesNotReturn]
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public static void Fail(string message)
    {
        Enter();
        SerialPort.Com1.Write("\r\n!!! STRIXOS PANIC: "u8);
        SerialPort.Com1.WriteLine(message);
        ulong rbp = X64.ReadRbp();
        SerialPort.Com1.WriteLine("  backtrace:");
        SerialPort.Com1.Write(Backtrace.Format(*(ulong*)(rbp + 8) - 1, *(ulong*)rbp));
        Machine.Shutdown(success: false);
    }

    [DoesNotReturn]
    public static void Raw(ReadOnlySpan<byte> message)
    {
        Enter();
        SerialPort.Com1.Write("\r\n!!! STRIXOS PANIC: "u8);
        SerialPort.Com1.Write(message);
        SerialPort.Com1.Write("\r\n"u8);
        Machine.Shutdown(success: false);
    }

    [DoesNotReturn]
    public static void StubHit(byte* name)
    {
        Enter();
        SerialPort.Com1.Write("\r\n!!! STRIXOS PANIC: runtime entry point '"u8);
        SerialPort.Com1.WriteCString(name);
        SerialPort.Com1.Write("' is not implemented (a stub; see docs/runtime.md)\r\n"u8);
        Machine.Shutdown(success: false);
    }

    [DoesNotReturn]
    public static void OutOfMemory(ulong requestBytes, ulong freeBytes)
    {
        Enter();
        SerialPort.Com1.Write("\r\n!!! STRIXOS PANIC: kernel heap exhausted: request of "u8);
        SerialPort.Com1.WriteDecimal(requestBytes);
        SerialPort.Com1.Write(" bytes, "u8);
        SerialPort.Com1.WriteDecimal(freeBytes);
        SerialPort.Com1.Write(" bytes free\r\n"u8);
        Machine.Shutdown(success: false);
    }

    private static void Enter()
    {
        X64.DisableInterrupts();
        if (_panicking)
        {
            SerialPort.Com1.Write("\r\n!!! STRIXOS PANIC while panicking; halting\r\n"u8);
            Machine.Shutdown(success: false);
        }
        _panicking = true;
    }
}
