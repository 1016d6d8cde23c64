using System;
using System.Runtime;
using System.Runtime.InteropServices;

namespace StrixOS.Runtime.Exceptions;

/// <summary>
/// What CoreLib's StackTrace and StackFrame ask of the runtime: the return addresses of the current
/// thread's managed frames (RhpGetCurrentThreadStackTrace), the start of the method containing an
/// address (RhFindMethodStartAddress), and the module an address belongs to with its file name
/// (RhGetOSModuleFromPointer, RhGetModuleFileName: the kernel image, "strix.elf").
/// </summary>
internal static unsafe class StackTraces
{
    [DllImport("*", EntryPoint = "StrixCaptureCallerContext"), SuppressGCTransition]
    private static extern void CaptureCallerContext(LimitedContext* context);

    /// <summary>
    /// Positive: the number of frames written; negative: minus the number of frames there are, when
    /// the buffer is too small. Frames at or below <paramref name="addressInCurrentFrame"/> (the
    /// caller, RhGetCurrentThreadStackTrace, and this runtime) are left out.
    /// </summary>
    [RuntimeExport("RhpGetCurrentThreadStackTrace")]
    private static int GetCurrentThreadStackTrace(nint* buffer, uint length, nuint addressInCurrentFrame)
    {
        LimitedContext context;
        CaptureCallerContext(&context);
        FrameIteratorState frame;
        uint count = 0;
        for (bool valid = StackFrameIteration.InitFromContext(&frame, &context, instructionFault: false); valid;
             valid = StackFrameIteration.Next(&frame, null))
        {
            if (frame.Registers.Sp <= addressInCurrentFrame)
                continue;
            if (count < length)
                buffer[count] = (nint)frame.OriginalControlPC;
            count++;
        }
        return count <= length ? (int)count : -(int)count;
    }

    [RuntimeExport("RhFindMethodStartAddress")]
    private static nint FindMethodStartAddress(nint address) =>
        KernelCode.TryFindMethod((ulong)address, out _, out Unwinding.ManagedMethodInfo method) ? (nint)method.MethodStart : 0;

    [RuntimeExport("RhGetOSModuleFromPointer")]
    private static nint GetOSModuleFromPointer(nint address) =>
        KernelCode.IsManagedCode((ulong)address) ? (nint)KernelCode.Symbols.ImageBase : 0;

    /// <summary>The module's file name (UTF-8 on Unix): its length, the name through <paramref name="name"/>.</summary>
    [RuntimeExport("RhGetModuleFileName")]
    private static int GetModuleFileName(nint module, byte** name)
    {
        ReadOnlySpan<byte> fileName = "strix.elf\0"u8;
        fixed (byte* text = fileName)
            *name = text;                       // literal data in .rodata: the pointer stays valid
        return fileName.Length - 1;
    }
}
