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
    /// <summary>Non-zero while the unwinder runs: a CPU fault there is reported, not converted.</summary>
    public static int Depth;

    [RuntimeExport("RhpSfiInit")]
    private static bool SfiInit(FrameIteratorState* it, LimitedContext* context, bool instructionFault, bool* isIntercepted)
    {
        long started = UnwinderProfile.Start();
        Depth++;
        if (isIntercepted != null)
            *isIntercepted = false;
        bool valid = InitFromContext(it, context, instructionFault);
        Depth--;
        UnwinderProfile.StopIterator(started);
        return valid;
    }

    [RuntimeExport("RhpSfiNext")]
    private static bool SfiNext(FrameIteratorState* it, uint* collidedClause, bool* unwoundReversePInvoke, bool* isIntercepted)
    {
        long started = UnwinderProfile.Start();
        Depth++;
        if (collidedClause != null)
            *collidedClause = ExceptionLayout.NoClause;
        if (unwoundReversePInvoke != null)
            *unwoundReversePInvoke = false;
        if (isIntercepted != null)
            *isIntercepted = false;
        bool valid = Next(it, collidedClause);
        Depth--;
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

    /// <summary>RhpCallFilterFunclet's frame: six callee-saved pushes and 8 bytes (exceptions.asm).</summary>
    private static void UnwindFilterCaller(FrameIteratorState* it)
    {
        ulong sp = it->Registers.Sp;
        it->Registers.Locations[RegisterSet.R15] = sp + 0x08;
        it->Registers.Locations[RegisterSet.R14] = sp + 0x10;
        it->Registers.Locations[RegisterSet.R13] = sp + 0x18;
        it->Registers.Locations[RegisterSet.R12] = sp + 0x20;
        it->Registers.Locations[RegisterSet.Rbx] = sp + 0x28;
        it->Registers.Locations[RegisterSet.Rbp] = sp + 0x30;
        it->Registers.Ip = *(ulong*)(sp + 0x38);
        it->Registers.Sp = sp + 0x40;
    }

    /// <summary>
    /// An exception left a catch or finally funclet: continue at the funclet's method frame, which
    /// the interrupted dispatch's iterator holds (RhpCallCatch/FinallyFunclet keep its REGDISPLAY*
    /// at [rsp+8]), and report the clause that was running so the search resumes after it.
    /// </summary>
    private static bool ContinueAtHandlerFrame(FrameIteratorState* it, uint* collidedClause)
    {
        ulong registers = *(ulong*)(it->Registers.Sp + 8);
        ulong exInfo = registers - ExceptionLayout.StackFrameIteratorRegisters - ExceptionLayout.ExInfoFrameIterator;
        ulong active = KernelCode.ActiveExInfo;
        while (active != 0 && active != exInfo)
            active = *(ulong*)(active + ExceptionLayout.ExInfoPrevious);
        if (active == 0)
            Panic.Fail("stack walk: a funclet call names no active exception (corrupt ExInfo chain)");
        Buffer.MemoryCopy((void*)(exInfo + ExceptionLayout.ExInfoFrameIterator), it,
            ExceptionLayout.StackFrameIteratorSize, ExceptionLayout.StackFrameIteratorSize);
        if (collidedClause != null)
            *collidedClause = *(uint*)(exInfo + ExceptionLayout.ExInfoCurrentClause);
        return true;
    }
}
