using System;
using System.Runtime;
using StrixOS.Diagnostics;
using StrixOS.Runtime.Unwinding;

namespace StrixOS.Runtime.Exceptions;

/// <summary>
/// The stack-frame iterator under CoreLib's dispatcher (RhpSfiInit / RhpSfiNext), also used for
/// stack traces and meant for the GC: it walks from a register context through managed frames by
/// their DWARF CFI, recording where each frame's callee-saved registers are saved. Two kinds of
/// assembly frame are known by their return addresses: a filter-funclet call is unwound through
/// (the walk continues in the dispatcher that ran the filter), and a catch/finally-funclet call
/// means an exception escaped a handler: the walk continues at the handler's method frame, as
/// the earlier dispatch saw it, and reports which clause was running ("collided unwind").
/// The walk ends at the first frame that is not managed code. No frame limit.
/// </summary>
internal static unsafe class StackFrameIteration
{
    /// <summary>Non-zero while the unwinder runs on this thread: a CPU fault there is reported, not converted. Per
    /// thread: another thread preempted inside the unwinder says nothing about a fault here.</summary>
    public static unsafe long Depth => ExceptionThreadState.Current->UnwinderDepth;

    [RuntimeExport("RhpSfiInit")]
    private static bool SfiInit(FrameIteratorState* it, LimitedContext* context, bool instructionFault, bool* isIntercepted)
    {
        long started = UnwinderProfile.Start();
        ExceptionThreadState* state = ExceptionThreadState.Current;
        state->UnwinderDepth++;
        if (isIntercepted != null)
            *isIntercepted = false;
        bool valid = InitFromContext(it, context, instructionFault);
        state->UnwinderDepth--;
        UnwinderProfile.StopIterator(started);
        return valid;
    }

    [RuntimeExport("RhpSfiNext")]
    private static bool SfiNext(FrameIteratorState* it, uint* collidedClause, bool* unwoundReversePInvoke, bool* isIntercepted)
    {
        long started = UnwinderProfile.Start();
        ExceptionThreadState* state = ExceptionThreadState.Current;
        state->UnwinderDepth++;
        if (collidedClause != null)
            *collidedClause = ExceptionLayout.NoClause;
        if (unwoundReversePInvoke != null)
            *unwoundReversePInvoke = false;
        if (isIntercepted != null)
            *isIntercepted = false;
        bool valid = Next(it, collidedClause);
        state->UnwinderDepth--;
        UnwinderProfile.StopIterator(started);
        return valid;
    }

    /// <summary>Starts a walk at a throw or fault context (its callee-saved registers are in it).</summary>
    public static bool InitFromContext(FrameIteratorState* it, LimitedContext* context, bool instructionFault)
    {
        *it = default;
        it->Registers.Locations[RegisterSet.Rbx] = (ulong)&context->Rbx;
        it->Registers.Locations[RegisterSet.Rbp] = (ulong)&context->Rbp;
        it->Registers.Locations[RegisterSet.R12] = (ulong)&context->R12;
        it->Registers.Locations[RegisterSet.R13] = (ulong)&context->R13;
        it->Registers.Locations[RegisterSet.R14] = (ulong)&context->R14;
        it->Registers.Locations[RegisterSet.R15] = (ulong)&context->R15;
        it->Registers.Sp = context->Rsp;
        it->Registers.Ip = context->Ip;
        return EnterFrame(it, instructionFault);
    }

    /// <summary>Moves to the caller's frame; false at the end of managed code.</summary>
    public static bool Next(FrameIteratorState* it, uint* collidedClause)
    {
        if (it->Method.IsReversePInvoke || !UnwindManagedFrame(it))
            return false;
        ref readonly ExceptionSymbols symbols = ref KernelCode.Symbols;
        ulong ip = it->Registers.Ip;
        if (ip == symbols.FilterFuncletReturn)
            UnwindFilterCaller(it);
        else if (ip == symbols.CatchFuncletReturn || ip == symbols.FinallyFuncletReturn)
            return ContinueAtHandlerFrame(it, collidedClause);
        return EnterFrame(it, instructionFault: false);
    }

    /// <summary>Looks up the code at the current IP; false when it is not managed code.</summary>
    private static bool EnterFrame(FrameIteratorState* it, bool instructionFault)
    {
        ulong ip = it->Registers.Ip;
        it->IsFaultingFrame = instructionFault ? 1UL : 0UL;
        it->OriginalControlPC = ip;
        // A return address points after the call; the call itself (ip - 1) is in the right try region.
        it->ControlPC = instructionFault ? ip : ip - 1;
        if (!KernelCode.TryDecode(it->ControlPC, out DecodedFrame frame))
            return false;
        it->Method = frame.Method;
        it->Code = frame.Code;
        // As NativeAOT: methods with EH clauses and their funclets share the method's frame pointer.
        it->FramePointer = frame.Method.HasEhInfo || frame.Method.IsFunclet ? it->Registers.Value(RegisterSet.Rbp) : 0;
        return true;
    }

    private static bool UnwindManagedFrame(FrameIteratorState* it)
    {
        // The row for this frame's code address: decoded (and cached) when the frame was entered.
        if (!KernelCode.TryDecode(it->ControlPC, out DecodedFrame frame) || !frame.HasRow || frame.Code.Address != it->Code.Address)
            return false;
        UnwindRow row = frame.Row;
        ulong cfa;
        if (row.CfaRegister == 7)
            cfa = it->Registers.Sp;
        else if (row.CfaRegister == 6 && it->Registers.Locations[RegisterSet.Rbp] != 0)
            cfa = it->Registers.Value(RegisterSet.Rbp);
        else
            return false;
        cfa = (ulong)((long)cfa + row.CfaOffset);
        if (!row.IsSaved(16) || cfa <= it->Registers.Sp)
            return false;
        // Scratch registers do not survive a call: their values in the caller are unknown.
        it->Registers.Locations[RegisterSet.Rax] = 0;
        it->Registers.Locations[RegisterSet.Rcx] = 0;
        it->Registers.Locations[RegisterSet.Rdx] = 0;
        it->Registers.Locations[RegisterSet.Rsi] = 0;
        it->Registers.Locations[RegisterSet.Rdi] = 0;
        for (int slot = RegisterSet.R8; slot < RegisterSet.R12; slot++)
            it->Registers.Locations[slot] = 0;
        for (int dwarf = 0; dwarf < 16; dwarf++)
        {
            int slot = RegisterSet.SlotOfDwarfRegister(dwarf);
            if (slot >= 0 && row.IsSaved(dwarf))
                it->Registers.Locations[slot] = (ulong)((long)cfa + row.SavedOffset[dwarf]);
        }
        ulong* returnSlot = (ulong*)((long)cfa + row.SavedOffset[16]);
        ulong returnAddress = *returnSlot;
        // A collection waiting for this thread hijacked the return address: the walk takes it back.
        if (returnAddress == global::StrixOS.Threading.ThreadSuspension.StubAddress)
            returnAddress = global::StrixOS.Threading.ThreadSuspension.TakeBackForWalk(returnSlot);
        it->Registers.Ip = returnAddress;
        it->Registers.Sp = cfa;
        return true;
    }

    // Bytes each funclet caller reserves below its six callee-saved pushes (exceptions.asm).
    private const ulong CatchCallerLocals = 0x28, FinallyCallerLocals = 0x18, FilterCallerLocals = 0x08;
    // ExKind.InstructionFaultFlag: the throw context's IP is the faulting instruction.
    private const byte InstructionFaultKind = 0x10;

    /// <summary>RhpCallFilterFunclet's frame: six callee-saved pushes and 8 bytes (exceptions.asm).</summary>
    private static void UnwindFilterCaller(FrameIteratorState* it) => UnwindFuncletCaller(it, FilterCallerLocals);

    /// <summary>A funclet caller's frame: <paramref name="locals"/> bytes, then rbp, rbx, r12..r15 pushed, then the return address.</summary>
    private static void UnwindFuncletCaller(FrameIteratorState* it, ulong locals)
    {
        ulong saved = it->Registers.Sp + locals;
        it->Registers.Locations[RegisterSet.R15] = saved;
        it->Registers.Locations[RegisterSet.R14] = saved + 0x08;
        it->Registers.Locations[RegisterSet.R13] = saved + 0x10;
        it->Registers.Locations[RegisterSet.R12] = saved + 0x18;
        it->Registers.Locations[RegisterSet.Rbx] = saved + 0x20;
        it->Registers.Locations[RegisterSet.Rbp] = saved + 0x28;
        it->Registers.Ip = *(ulong*)(saved + 0x30);
        it->Registers.Sp = saved + 0x38;
    }

    /// <summary>
    /// For the collector: the caller's frame as it physically is. Unlike <see cref="Next"/>, a catch or finally
    /// funclet's call is unwound into the dispatcher that made it (whose frames hold the exception's state), and
    /// <paramref name="funcletExInfo"/> names that dispatch's ExInfo; 0 for any other frame.
    /// </summary>
    public static bool NextPhysical(FrameIteratorState* it, out ulong funcletExInfo)
    {
        funcletExInfo = 0;
        if (it->Method.IsReversePInvoke || !UnwindManagedFrame(it))
            return false;
        ref readonly ExceptionSymbols symbols = ref KernelCode.Symbols;
        ulong ip = it->Registers.Ip;
        if (ip == symbols.FilterFuncletReturn)
        {
            UnwindFuncletCaller(it, FilterCallerLocals);
        }
        else if (ip == symbols.CatchFuncletReturn || ip == symbols.FinallyFuncletReturn)
        {
            funcletExInfo = ExInfoOfFuncletCall(it->Registers.Sp);
            UnwindFuncletCaller(it, ip == symbols.CatchFuncletReturn ? CatchCallerLocals : FinallyCallerLocals);
        }
        return EnterFrame(it, instructionFault: false);
    }

    /// <summary>
    /// The ExInfo of the dispatch whose entry (RhThrowEx, RhRethrow, RhThrowHwEx) a walk just unwound, when it
    /// stopped there: the throw helpers call the dispatcher with the ExInfo at their stack pointer. 0 otherwise.
    /// </summary>
    public static ulong ThrowHelperExInfo(FrameIteratorState* it)
    {
        ref readonly ExceptionSymbols symbols = ref KernelCode.Symbols;
        ulong ip = it->Registers.Ip;
        return ip == symbols.ThrowReturn || ip == symbols.RethrowReturn || ip == symbols.HardwareThrowReturn ? it->Registers.Sp : 0;
    }

    /// <summary>Starts a walk again at the frame that threw (or faulted) the exception of <paramref name="exInfo"/>.</summary>
    public static bool ContinueAtThrowSite(FrameIteratorState* it, ulong exInfo)
    {
        var context = *(LimitedContext**)(exInfo + ExceptionLayout.ExInfoContext);
        bool fault = (*(byte*)(exInfo + ExceptionLayout.ExInfoKind) & InstructionFaultKind) != 0;
        return InitFromContext(it, context, fault);
    }

    /// <summary>Continues a walk at the frame the dispatch of <paramref name="exInfo"/> stands at (in its second
    /// pass: the method whose catch or finally funclet it called).</summary>
    public static void ContinueAtDispatchFrame(FrameIteratorState* it, ulong exInfo) =>
        Buffer.MemoryCopy((void*)(exInfo + ExceptionLayout.ExInfoFrameIterator), it,
            ExceptionLayout.StackFrameIteratorSize, ExceptionLayout.StackFrameIteratorSize);

    /// <summary>RhpCallCatch/FinallyFunclet keep the dispatch iterator's REGDISPLAY* at [rsp+8]; the iterator is the ExInfo's.</summary>
    private static ulong ExInfoOfFuncletCall(ulong callerSp) =>
        *(ulong*)(callerSp + 8) - ExceptionLayout.StackFrameIteratorRegisters - ExceptionLayout.ExInfoFrameIterator;

    /// <summary>
    /// An exception left a catch or finally funclet: continue at the funclet's method frame, which
    /// the interrupted dispatch's iterator holds (RhpCallCatch/FinallyFunclet keep its REGDISPLAY*
    /// at [rsp+8]), and report the clause that was running so the search resumes after it.
    /// </summary>
    private static bool ContinueAtHandlerFrame(FrameIteratorState* it, uint* collidedClause)
    {
        ulong exInfo = ExInfoOfFuncletCall(it->Registers.Sp);
        ulong active = KernelCode.ActiveExInfo;
        while (active != 0 && active != exInfo)
            active = *(ulong*)(active + ExceptionLayout.ExInfoPrevious);
        if (active == 0)
            Panic.Fail("stack walk: a funclet call names no active exception (corrupt ExInfo chain)");
        ContinueAtDispatchFrame(it, exInfo);
        if (collidedClause != null)
            *collidedClause = *(uint*)(exInfo + ExceptionLayout.ExInfoCurrentClause);
        return true;
    }
}
