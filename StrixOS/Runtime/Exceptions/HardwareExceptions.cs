using StrixOS.Cpu;

namespace StrixOS.Runtime.Exceptions;

/// <summary>
/// CPU faults that .NET turns into exceptions: a read or write of the null page (the first 64 KiB,
/// as in .NET) becomes NullReferenceException, #DE DivideByZeroException, #OF OverflowException.
/// The fault handler redirects the interrupted code to RhpThrowHwEx, which throws from the faulting
/// instruction with the fault's stack and registers. Only faults in managed code qualify; a fault in
/// assembly or in the unwinder itself, or one that nests too deep in dispatch, keeps the CPU fault
/// report (and a stack overflow is a double fault on its own stack, never converted).
/// </summary>
internal static unsafe class HardwareExceptions
{
    private const ulong NullPageLimit = 64 * 1024;
    // NativeAOT's hardware exception codes (System.Runtime.EH.HwExceptionCode).
    private const ulong NullReference = 0x00000000;
    private const ulong IntegerDivideByZero = 0xC0000094;
    private const ulong IntegerOverflow = 0xC0000095;
    /// <summary>Active exceptions beyond which a fault is taken for a dispatch that cannot succeed.</summary>
    private const int MaxNestedDispatches = 32;

    /// <summary>Redirects the faulting code to throw the matching exception; false to report the fault.</summary>
    public static bool TryRedirect(ExceptionFrame* frame, ulong cr2)
    {
        ulong code;
        switch (frame->Vector)
        {
            case 0: code = IntegerDivideByZero; break;
            case 4: code = IntegerOverflow; break;
            case 14 when cr2 < NullPageLimit: code = NullReference; break;
            default: return false;
        }
        if (StackFrameIteration.Depth != 0 || NestedDispatches() >= MaxNestedDispatches || !KernelCode.IsManagedCode(frame->Rip))
            return false;
        frame->Rdi = code;
        frame->Rsi = frame->Rip;
        frame->Rip = KernelCode.Symbols.ThrowHardwareException;
        return true;
    }

    private static int NestedDispatches()
    {
        int count = 0;
        for (ulong exInfo = KernelCode.ActiveExInfo; exInfo != 0 && count < MaxNestedDispatches; count++)
            exInfo = *(ulong*)(exInfo + ExceptionLayout.ExInfoPrevious);
        return count;
    }
}
