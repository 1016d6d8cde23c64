using System.Runtime.InteropServices;
using StrixOS.Runtime.Exceptions;
using StrixOS.Runtime.GcInfo;
using StrixOS.Runtime.Unwinding;

namespace StrixOS.Runtime.Collector;

/// <summary>What a stack scan found.</summary>
internal enum StackScanStatus
{
    /// <summary>Every managed frame was decoded; the walk ended at the first non-managed frame.</summary>
    Complete,
    /// <summary>A frame's GC info did not decode, or a slot named a register with no known location.</summary>
    Corrupt,
    /// <summary>
    /// An exception handler funclet is running (its caller is the dispatcher's funclet thunk): the
    /// frames between it and its parent are not walked yet, so a precise scan is not possible.
    /// A funclet its own method called directly (a finally on the normal path) is scanned.
    /// </summary>
    FuncletActive,
}

internal struct StackScanResult
{
    public StackScanStatus Status;
    public uint Frames;
    public uint Roots;
    /// <summary>Funclet frames met (finally blocks called by their method on the normal path).</summary>
    public uint FuncletFrames;
    /// <summary>Roots reported through the save slot of a callee-saved register.</summary>
    public uint RegisterRoots;
    /// <summary>The return address of the frame that stopped the scan, if it did not complete.</summary>
    public ulong FailedAt;
    /// <summary>
    /// The walk ended at a reverse P/Invoke method (the kernel's managed entry), so every frame of the stack was
    /// seen. A walk that ends at any other method stopped at native code in the middle of the stack (an
    /// interrupt or CPU-exception stub, the exception dispatcher's throw helper): the frames beyond it were not scanned.
    /// </summary>
    public bool ReachedEntry;
}

/// <summary>
/// Precise roots on the kernel stack: walks the frames from its caller outwards with the DWARF
/// unwinder (<see cref="StackFrameIteration"/>) and, for each, decodes the method's GC info at the
/// return address (every frame is at a call: the scan runs from inside the allocator or GC.Collect).
/// A live register is reported through the place its value is saved in (a callee's save slot, or the
/// scan's starting context), never as a copy, so a collector that updated it would update the real
/// value: the callee-saved-register case a walker that reads only stack slots misses. A funclet
/// shares its method's frame and GC info: the innermost funclet reports for the method (filters
/// without untracked slots), and the method's own frame is then not reported again.
/// </summary>
internal static unsafe class StackRootScanner
{
    /// <summary><see cref="StackScanResult.ReachedEntry"/> of the last scan.</summary>
    public static bool LastReachedEntry;

    [DllImport("*", EntryPoint = "StrixCaptureCallerContext"), SuppressGCTransition]
    private static extern void CaptureCallerContext(LimitedContext* context);

    /// <summary>Scans the frames of the caller of this method and of its callers.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public static StackScanResult Scan<TVisitor>(ref TVisitor visitor) where TVisitor : struct, IRootVisitor
    {
        var result = new StackScanResult();
        LastReachedEntry = false;
        LimitedContext context;
        CaptureCallerContext(&context);
        FrameIteratorState frame;
        bool valid = StackFrameIteration.InitFromContext(&frame, &context, instructionFault: false);
        // The first frame is this method's own: it holds no references of its callers.
        if (valid)
            valid = StackFrameIteration.Next(&frame, null);
        ulong funcletParent = 0;
        while (valid)
        {
            bool report = true;
            bool reportUntracked = true;
            if (frame.Method.IsFunclet)
            {
                // Called from the dispatcher's thunk: an exception is in flight, and the frames
                // between the funclet and its parent are not walked for the GC yet.
                if (CalledByFuncletThunk(&frame))
                {
                    result.Status = StackScanStatus.FuncletActive;
                    result.FailedAt = frame.OriginalControlPC;
                    return result;
                }
                // Called directly by its method (a finally on the normal path): the innermost
                // funclet reports the method's frame, the outer ones of the same method do not.
                report = funcletParent != frame.Method.MethodStart;
                reportUntracked = !frame.Method.IsFilter;
                funcletParent = frame.Method.MethodStart;
                result.FuncletFrames++;
            }
            else if (funcletParent != 0 && frame.Method.MethodStart == funcletParent)
            {
                report = false;             // already reported through its funclet
                funcletParent = 0;
            }
            if (report && !ScanFrame(&frame, reportUntracked, ref visitor, ref result))
            {
                result.Status = StackScanStatus.Corrupt;
                result.FailedAt = frame.OriginalControlPC;
                return result;
            }
            result.Frames++;
            result.ReachedEntry = frame.Method.IsReversePInvoke;
            valid = StackFrameIteration.Next(&frame, null);
        }
        LastReachedEntry = result.ReachedEntry;
        return result;
    }

    /// <summary>Does the funclet return into RhpCallCatchFunclet / RhpCallFinallyFunclet / RhpCallFilterFunclet?</summary>
    private static bool CalledByFuncletThunk(FrameIteratorState* frame)
    {
        if (!CallFrameInstructions.TryComputeRow(ImageView.Identity, frame->Code, frame->ControlPC, out UnwindRow row) || !row.IsSaved(16))
            return true;                    // cannot tell: refuse rather than guess
        ulong cfa = CanonicalFrameAddress(frame, in row);
        if (cfa == 0)
            return true;
        ulong returnAddress = *(ulong*)((long)cfa + row.SavedOffset[16]);
        ref readonly ExceptionSymbols symbols = ref KernelCode.Symbols;
        return returnAddress == symbols.CatchFuncletReturn || returnAddress == symbols.FinallyFuncletReturn
            || returnAddress == symbols.FilterFuncletReturn;
    }

    private static bool ScanFrame<TVisitor>(FrameIteratorState* frame, bool reportUntracked, ref TVisitor visitor, ref StackScanResult result) where TVisitor : struct, IRootVisitor
    {
        ulong codeOffset = frame->OriginalControlPC - frame->Method.MethodStart;
        if (!CallFrameInstructions.TryComputeRow(ImageView.Identity, frame->Code, frame->ControlPC, out UnwindRow row))
            return false;
        var resolver = new SlotResolver<TVisitor>
        {
            Frame = frame,
            CallerSp = CanonicalFrameAddress(frame, in row),
        };
        resolver.Visitor = visitor;
        GcLiveSlotsResult slots = GcLiveSlots.Enumerate(ImageView.Identity, frame->Method.GcInfo, (uint)codeOffset,
            reportUntracked, reportScratchSlots: false, ref resolver);
        visitor = resolver.Visitor;
        result.Roots += resolver.Roots;
        result.RegisterRoots += resolver.RegisterRoots;
        return slots.Status == GcLiveSlotsStatus.Ok && resolver.CallerSp != 0 && !resolver.Unresolved;
    }

    private static ulong CanonicalFrameAddress(FrameIteratorState* frame, in UnwindRow row)
    {
        ulong baseValue;
        if (row.CfaRegister == 7)
            baseValue = frame->Registers.Sp;
        else if (row.CfaRegister == 6 && frame->Registers.Locations[RegisterSet.Rbp] != 0)
            baseValue = frame->Registers.Value(RegisterSet.Rbp);
        else
            return 0;
        return (ulong)((long)baseValue + row.CfaOffset);
    }

    /// <summary>Turns GC info slots of one frame into addresses of words.</summary>
    private struct SlotResolver<TVisitor> : IGcSlotVisitor where TVisitor : struct, IRootVisitor
    {
        public FrameIteratorState* Frame;
        public ulong CallerSp;
        public TVisitor Visitor;
        public uint Roots, RegisterRoots;
        public bool Unresolved;

        public void Visit(in GcInfoHeader header, in GcSlot slot)
        {
            ulong address;
            if (slot.IsRegister)
            {
                int index = RegisterSetSlot(slot.Register);
                address = index < 0 ? 0 : Frame->Registers.Locations[index];
                if (address != 0)
                    RegisterRoots++;
            }
            else
            {
                ulong baseAddress = slot.Base switch
                {
                    GcStackSlotBase.Sp => Frame->Registers.Sp,
                    GcStackSlotBase.CallerSp => CallerSp,
                    _ => header.StackBaseRegister == 5 ? Frame->Registers.Value(RegisterSet.Rbp) : 0,
                };
                address = baseAddress == 0 ? 0 : (ulong)((long)baseAddress + slot.Offset);
            }
            if (address == 0)
            {
                Unresolved = true;
                return;
            }
            Roots++;
            Visitor.Visit((ulong*)address, (slot.Flags & GcSlotFlags.Interior) != 0, (slot.Flags & GcSlotFlags.Pinned) != 0);
        }
    }

    /// <summary>GC info's x64 register number (rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8..r15) to the iterator's slot.</summary>
    private static int RegisterSetSlot(uint register) => register switch
    {
        0 => RegisterSet.Rax,
        1 => RegisterSet.Rcx,
        2 => RegisterSet.Rdx,
        3 => RegisterSet.Rbx,
        5 => RegisterSet.Rbp,
        6 => RegisterSet.Rsi,
        7 => RegisterSet.Rdi,
        >= 8 and <= 15 => RegisterSet.R8 + (int)(register - 8),
        _ => -1,
    };
}
