using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using StrixOS.Drivers;
using StrixOS.Plugs;
using StrixOS.Testing;

namespace StrixOS.Diagnostics;

/// <summary>
/// The end of the road: report on the serial console (the test protocol's panic line for the host
/// runner, then the message and a backtrace for people), then leave QEMU with the failure status,
/// or halt with interrupts off where there is no exit device, so the console stays readable.
/// Reporting allocates nothing, for when the heap itself is the problem.
/// </summary>
public static unsafe class Panic
{
    private const int MessageCapacity = 512;
    private static bool s_panicking;

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Fail(string message)
    {
        Enter();
        Report(message);
        ulong rbp = X64.ReadRbp();
        SerialPort.Com1.Write("  backtrace:\n"u8);
        SerialPort.Com1.Write(Backtrace.Format(*(ulong*)(rbp + 8) - 1, *(ulong*)rbp));
        Machine.Shutdown(success: false);
    }

    /// <summary>A panic whose details (e.g. an unhandled exception's stack) replace the backtrace.</summary>
    [DoesNotReturn]
    public static void Fail(string message, string details)
    {
        Enter();
        Report(message);
        SerialPort.Com1.Write(details);
        Machine.Shutdown(success: false);
    }

    [DoesNotReturn]
    public static void Raw(ReadOnlySpan<byte> message)
    {
        Enter();
        var text = new MessageBuffer(stackalloc char[MessageCapacity]);
        text.Append(message);
        Report(text.Text);
        Machine.Shutdown(success: false);
    }

    [DoesNotReturn]
    public static void StubHit(byte* name)
    {
        Enter();
        var text = new MessageBuffer(stackalloc char[MessageCapacity]);
        text.Append("runtime entry point '"u8);
        text.Append(new ReadOnlySpan<byte>(name, CStringLength(name)));
        text.Append("' is not implemented (a stub; see docs/runtime.md)"u8);
        Report(text.Text);
        Machine.Shutdown(success: false);
    }

    /// <summary>The early heap (boot.asm's EARLY_HEAP_SIZE, in the image's BSS) cannot serve a request: before the kernel
    /// heap exists, or for an allocation nested in the kernel heap's own work after it does.</summary>
    [DoesNotReturn]
    public static void EarlyHeapExhausted(ulong requestBytes, ulong freeBytes, ulong sizeBytes)
    {
        Enter();
        var text = new MessageBuffer(stackalloc char[MessageCapacity]);
        text.Append("early heap exhausted: request of "u8);
        text.Append(requestBytes);
        text.Append(" bytes, "u8);
        text.Append(freeBytes);
        text.Append(" bytes free of "u8);
        text.Append(sizeBytes);
        text.Append(" (EARLY_HEAP_SIZE in boot.asm)"u8);
        Report(text.Text);
        Machine.Shutdown(success: false);
    }

    [DoesNotReturn]
    public static void HeapExhausted(ulong requestBytes, ulong bytesInUse) =>
        SizeReport("kernel heap out of memory: request of "u8, requestBytes, bytesInUse,
            " bytes in use (no free frames, or the heap's virtual range is full)"u8);

    /// <summary>"{lead}{request} bytes, {amount}{tail}", built on the stack.</summary>
    [DoesNotReturn]
    private static void SizeReport(ReadOnlySpan<byte> lead, ulong requestBytes, ulong amount, ReadOnlySpan<byte> tail)
    {
        Enter();
        var text = new MessageBuffer(stackalloc char[MessageCapacity]);
        text.Append(lead);
        text.Append(requestBytes);
        text.Append(" bytes, "u8);
        text.Append(amount);
        text.Append(tail);
        Report(text.Text);
        Machine.Shutdown(success: false);
    }

    private static void Report(ReadOnlySpan<char> message)
    {
        Span<char> line = stackalloc char[MessageCapacity + 64];
        SerialPort.Com1.Write("\n"u8);
        if (TestProtocol.TryFormatPanic(message, line, out int written))
            SerialPort.Com1.Write(line.Slice(0, written));
        SerialPort.Com1.Write("\n!!! STRIXOS PANIC: "u8);
        SerialPort.Com1.Write(message);
        SerialPort.Com1.Write("\n"u8);
    }

    private static void Enter()
    {
        X64.DisableInterrupts();
        if (s_panicking)
        {
            SerialPort.Com1.Write("\n!!! STRIXOS PANIC while panicking; stopping\n"u8);
            Machine.Shutdown(success: false);
        }
        s_panicking = true;
    }

    private static int CStringLength(byte* text)
    {
        int length = 0;
        while (length < 256 && text[length] != 0)
            length++;
        return length;
    }

    /// <summary>A fixed-size message under construction on the stack.</summary>
    private ref struct MessageBuffer(Span<char> buffer)
    {
        private readonly Span<char> _buffer = buffer;
        private int _length;

        public readonly ReadOnlySpan<char> Text => _buffer.Slice(0, _length);

        public void Append(ReadOnlySpan<byte> ascii)
        {
            foreach (byte b in ascii)
            {
                if (_length < _buffer.Length)
                    _buffer[_length++] = (char)b;
            }
        }

        public void Append(ulong value)
        {
            Span<char> digits = stackalloc char[20];
            int count = 0;
            do
            {
                digits[count++] = (char)('0' + value % 10);
                value /= 10;
            } while (value != 0);
            while (count > 0 && _length < _buffer.Length)
                _buffer[_length++] = digits[--count];
        }
    }
}
