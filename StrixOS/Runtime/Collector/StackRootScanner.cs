using System.Runtime.InteropServices;
using StrixOS.Runtime.Exceptions;
using StrixOS.Runtime.GcInfo;
using StrixOS.Runtime.Unwinding;
using StrixOS.Threading;

namespace StrixOS.Runtime.Collector;

/// <summary>What a stack scan found.</summary>
internal enum StackScanStatus
{
    /// <summary>Every managed frame was decoded; the walk ended at the first non-managed frame.</summary>
    Complete,
    /// <summary>A frame's GC info did not decode, or a slot named a register with no known location.</summary>
    Corrupt,
    /// <summary>
    /// The exception dispatcher runs its second pass outside a funclet (between two finally blocks, or before the
    /// catch): which of the frames it unwinds are dead is its own state, so no precise scan is possible. The
    /// dispatcher does not allocate there.
    /// </summary>
    DispatcherBetweenFunclets,
    /// <summary>Another thread was stopped (preempted) where its GC info is not valid: it has to run to a safepoint first
    /// (ThreadSuspension does that before a collection).</summary>
    ThreadNotAtSafePoint,
}

/// <summary>Where a thread other than the running one stands for a stack scan.</summary>
internal enum ThreadScanState
{
    /// <summary>It switched out itself, at a call in managed code: every frame is at a call site.</summary>
    SwitchedAtCall,
    /// <summary>It is parked in the hijack stub at its caller's safepoint.</summary>
    ParkedAtHijack,
    /// <summary>Preempted in fully interruptible code (or exactly at a safepoint): the interrupted registers are reported.</summary>
    InterruptedAtSafePoint,
    /// <summary>Created, never ran: no managed frame.</summary>
    NotStarted,
    /// <summary>The idle thread: runtime frames only, no managed references.</summary>
    Idle,
    /// <summary>Preempted where its GC info says nothing (partially interruptible code, a prologue or epilogue, assembly).</summary>
    NotAtSafePoint,
}

internal struct StackScanResult
{
    public StackScanStatus Status;
    public uint Frames;
    public uint Roots;
    /// <summary>Funclet frames met (finally blocks called by their method on the normal path, handlers the dispatcher called).</summary>
    public uint FuncletFrames;
    /// <summary>Exception dispatches walked through (their ExInfo's exception reported).</summary>
    public uint Dispatches;
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
    /// <summary>Threads other than the running one whose stacks were scanned.</summary>
    public uint OtherThreads;
}

/// <summary>
/// Precise roots on every thread's stack. The running thread's: walks the frames from its caller outwards with the DWARF
/// unwinder (<see cref="StackFrameIteration"/>) and, for each, decodes the method's GC info at the
/// return address (every frame is at a call: the scan runs from inside the allocator or GC.Collect).
/// A live register is reported through the place its value is saved in (a callee's save slot, or the
/// scan's starting context), never as a copy, so a collector that updated it would update the real
/// value: the callee-saved-register case a walker that reads only stack slots misses. A funclet
/// shares its method's frame and GC info: the innermost catch or finally funclet reports for the method, and the
/// method's own frame is then not reported again; a filter reports its own tracked slots only. Exception dispatch
/// is walked through (see <see cref="WalkFrames"/>).
/// Every other thread is scanned from where it stopped (<see cref="Classify"/>): from its switch frame (a
/// call in managed code), from the hijack stub's saved registers (its caller's safepoint, the returned
/// reference in rax/rdx included), or from its interrupt frame when the interrupted code is fully
/// interruptible; a thread stopped anywhere else makes the scan fail, never a guess.
/// </summary>
internal static unsafe class StackRootScanner
{
    /// <summary><see cref="StackScanResult.ReachedEntry"/> of the last scan.</summary>
    public static bool LastReachedEntry;

    [DllImport("*", EntryPoint = "StrixCaptureCallerContext"), SuppressGCTransition]
    private static extern void CaptureCallerContext(LimitedContext* context);

    /// <summary>Scans the frames of the caller of this method and of its callers, then the stacks of every other thread.</summary>
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
        if (!WalkFrames(&frame, valid, firstFrameScratch: false, ref visitor, ref result))
            return result;
        if (!result.ReachedEntry)
            return result;
        ThreadControl* self = Scheduler.Current;
        for (ThreadControl* thread = Scheduler.AllThreads; thread != null; thread = thread->AllNext)
        {
            if (thread == self)
                continue;
            if (!ScanThread(thread, ref visitor, ref result))
                return result;
            result.OtherThreads++;
        }
        LastReachedEntry = result.ReachedEntry;
        return result;
    }

    /// <summary>Where <paramref name="thread"/> (not the running one; interrupts off) stands for a scan.</summary>
    public static ThreadScanState Classify(ThreadControl* thread)
    {
        if (thread == Scheduler.IdleThread)
            return ThreadScanState.Idle;
        if (thread->HijackFrame != null)
            return ThreadScanState.ParkedAtHijack;
        if (thread->InterruptFrame != null)
            return InterruptedAtSafePoint(thread->InterruptFrame) ? ThreadScanState.InterruptedAtSafePoint : ThreadScanState.NotAtSafePoint;
        ulong* saved = (ulong*)thread->SavedStackPointer;
        if (saved[ContextSwitch.ReturnAddressSlot] == ContextSwitch.ThreadStartAddress())
            return ThreadScanState.NotStarted;
        return ThreadScanState.SwitchedAtCall;
    }

    /// <summary>Is the interrupted instruction in managed code whose GC info describes it (fully interruptible, or a safepoint)?</summary>
    private static bool InterruptedAtSafePoint(Cpu.ExceptionFrame* interrupted)
    {
        if (!KernelCode.TryDecode(interrupted->Rip, out DecodedFrame decoded) || !decoded.HasRow || decoded.Method.IsFunclet)
            return false;
        var probe = new NoSlots();
        GcLiveSlotsResult slots = GcLiveSlots.Enumerate(ImageView.Identity, decoded.Method.GcInfo, (uint)(interrupted->Rip - decoded.Method.MethodStart),
            reportUntracked: false, reportScratchSlots: true, ref probe);
        return slots.Status == GcLiveSlotsStatus.Ok && (slots.InInterruptibleRange || slots.AtSafePoint);
    }

    private struct NoSlots : IGcSlotVisitor
    {
        public void Visit(in GcInfoHeader header, in GcSlot slot) { }
    }

    private static bool ScanThread<TVisitor>(ThreadControl* thread, ref TVisitor visitor, ref StackScanResult result) where TVisitor : struct, IRootVisitor
    {
        ThreadScanState state = Classify(thread);
        if (state is ThreadScanState.Idle or ThreadScanState.NotStarted)
            return true;
        if (state == ThreadScanState.NotAtSafePoint)
        {
            result.Status = StackScanStatus.ThreadNotAtSafePoint;
            result.FailedAt = thread->InterruptFrame->Rip;
            result.ReachedEntry = false;
            return false;
        }
        LimitedContext context = default;
        FrameIteratorState frame;
        bool valid;
        bool scratch = state != ThreadScanState.SwitchedAtCall;
        if (state == ThreadScanState.SwitchedAtCall)
        {
            // strix_switch_context's frame: FPU control word, r15, r14, r13, r12, rbx, rbp, return address.
            ulong* saved = (ulong*)thread->SavedStackPointer;
            context.Ip = saved[ContextSwitch.ReturnAddressSlot];
            context.Rsp = (ulong)(saved + ContextSwitch.SavedWords);
            valid = StackFrameIteration.InitFromContext(&frame, &context, instructionFault: false);
            frame.Registers.Locations[RegisterSet.R15] = (ulong)(saved + ContextSwitch.SavedR15Slot);
            frame.Registers.Locations[RegisterSet.R14] = (ulong)(saved + ContextSwitch.SavedR14Slot);
            frame.Registers.Locations[RegisterSet.R13] = (ulong)(saved + ContextSwitch.SavedR13Slot);
            frame.Registers.Locations[RegisterSet.R12] = (ulong)(saved + ContextSwitch.SavedR12Slot);
            frame.Registers.Locations[RegisterSet.Rbx] = (ulong)(saved + ContextSwitch.SavedRbxSlot);
            frame.Registers.Locations[RegisterSet.Rbp] = (ulong)(saved + ContextSwitch.SavedRbpSlot);
            if (valid)
                frame.FramePointer = frame.Method.HasEhInfo || frame.Method.IsFunclet ? frame.Registers.Value(RegisterSet.Rbp) : 0;
        }
        else if (state == ThreadScanState.ParkedAtHijack)
        {
            HijackFrame* hijack = thread->HijackFrame;
            context.Ip = hijack->ReturnAddress;
            context.Rsp = (ulong)(&hijack->ReturnAddress + 1);
            valid = StackFrameIteration.InitFromContext(&frame, &context, instructionFault: false);
            SetAllLocations(&frame, &hijack->Rax, &hijack->Rcx, &hijack->Rdx, &hijack->Rbx, &hijack->Rbp, &hijack->Rsi, &hijack->Rdi,
                &hijack->R8, &hijack->R9, &hijack->R10, &hijack->R11, &hijack->R12, &hijack->R13, &hijack->R14, &hijack->R15);
            if (valid)
                frame.FramePointer = frame.Method.HasEhInfo || frame.Method.IsFunclet ? frame.Registers.Value(RegisterSet.Rbp) : 0;
        }
        else
        {
            Cpu.ExceptionFrame* interrupted = thread->InterruptFrame;
            context.Ip = interrupted->Rip;
            context.Rsp = interrupted->Rsp;
            valid = StackFrameIteration.InitFromContext(&frame, &context, instructionFault: true);
            SetAllLocations(&frame, &interrupted->Rax, &interrupted->Rcx, &interrupted->Rdx, &interrupted->Rbx, &interrupted->Rbp, &interrupted->Rsi,
                &interrupted->Rdi, &interrupted->R8, &interrupted->R9, &interrupted->R10, &interrupted->R11, &interrupted->R12, &interrupted->R13,
                &interrupted->R14, &interrupted->R15);
            if (valid)
                frame.FramePointer = frame.Method.HasEhInfo || frame.Method.IsFunclet ? frame.Registers.Value(RegisterSet.Rbp) : 0;
        }
        if (!WalkFrames(&frame, valid, scratch, ref visitor, ref result))
            return false;
        if (!result.ReachedEntry)
        {
            result.Status = StackScanStatus.Corrupt;
            result.FailedAt = context.Ip;
            return false;
        }
        return true;
    }

    private static void SetAllLocations(FrameIteratorState* frame, ulong* rax, ulong* rcx, ulong* rdx, ulong* rbx, ulong* rbp, ulong* rsi, ulong* rdi,
        ulong* r8, ulong* r9, ulong* r10, ulong* r11, ulong* r12, ulong* r13, ulong* r14, ulong* r15)
    {
        ulong* locations = frame->Registers.Locations;
        locations[RegisterSet.Rax] = (ulong)rax;
        locations[RegisterSet.Rcx] = (ulong)rcx;
        locations[RegisterSet.Rdx] = (ulong)rdx;
        locations[RegisterSet.Rbx] = (ulong)rbx;
        locations[RegisterSet.Rbp] = (ulong)rbp;
        locations[RegisterSet.Rsi] = (ulong)rsi;
        locations[RegisterSet.Rdi] = (ulong)rdi;
        locations[RegisterSet.R8] = (ulong)r8;
        locations[RegisterSet.R8 + 1] = (ulong)r9;
        locations[RegisterSet.R8 + 2] = (ulong)r10;
        locations[RegisterSet.R8 + 3] = (ulong)r11;
        locations[RegisterSet.R12] = (ulong)r12;
        locations[RegisterSet.R13] = (ulong)r13;
        locations[RegisterSet.R14] = (ulong)r14;
        locations[RegisterSet.R15] = (ulong)r15;
    }

    /// <summary>
    /// Reports every frame from <paramref name="frame"/> outwards; false (with the status set) when a frame cannot be scanned.
    /// Exception dispatch is walked as NativeAOT's GC stack walk does: a funclet the dispatcher called returns into
    /// the dispatcher's frames (reported like any other), whose entry leads to the dispatch's ExInfo (its exception
    /// object is a root). In the first pass (a filter running, or the dispatcher itself allocating) every frame from
    /// the throw site outwards is live and the walk goes on there. In the second pass the frames between the throw
    /// site and the catch or finally funclet's method are already unwound: the walk goes on at that method, where the
    /// dispatch's own iterator stands, and reports it once, through its funclet (.NET's funclet rule).
    /// </summary>
    private static bool WalkFrames<TVisitor>(FrameIteratorState* frame, bool valid, bool firstFrameScratch, ref TVisitor visitor, ref StackScanResult result)
        where TVisitor : struct, IRootVisitor
    {
        ulong funcletParent = 0;
        ulong funcletDispatch = 0;          // the ExInfo of the dispatch that called the last catch/finally funclet met
        bool first = true;
        result.ReachedEntry = false;
        while (true)
        {
            while (valid)
            {
                bool report = true;
                bool reportUntracked = true;
                if (frame->Method.IsFunclet)
                {
                    result.FuncletFrames++;
                    if (frame->Method.IsFilter)
                    {
                        // First pass: the filter's method is live and reports its own frame where the walk meets it.
                        reportUntracked = false;
                    }
                    else
                    {
                        // The innermost funclet of a method reports the method's frame; outer ones, and the method, do not.
                        report = funcletParent != frame->Method.MethodStart;
                        funcletParent = frame->Method.MethodStart;
                    }
                }
                else if (funcletParent != 0 && frame->Method.MethodStart == funcletParent)
                {
                    report = false;             // already reported through its funclet
                    funcletParent = 0;
                }
                if (report && !ScanFrame(frame, reportUntracked, first && firstFrameScratch, ref visitor, ref result))
                {
                    result.Status = StackScanStatus.Corrupt;
                    result.FailedAt = frame->OriginalControlPC;
                    return false;
                }
                first = false;
                result.Frames++;
                result.ReachedEntry = frame->Method.IsReversePInvoke;
                valid = StackFrameIteration.NextPhysical(frame, out ulong calledBy);
                if (calledBy != 0)
                    funcletDispatch = calledBy;
            }
            ulong exInfo = StackFrameIteration.ThrowHelperExInfo(frame);
            if (exInfo == 0)
                return true;                    // the end of managed code: ReachedEntry says whether it was the entry
            result.Dispatches++;
            result.Roots++;
            visitor.Visit((ulong*)(exInfo + ExceptionLayout.ExInfoException), false, false);
            if (*(byte*)(exInfo + ExceptionLayout.ExInfoPassNumber) != 2)
            {
                valid = StackFrameIteration.ContinueAtThrowSite(frame, exInfo);
                continue;
            }
            if (exInfo != funcletDispatch)
            {
                // The second pass between two funclets: which unwound frames are dead is the dispatcher's state.
                result.Status = StackScanStatus.DispatcherBetweenFunclets;
                result.FailedAt = frame->Registers.Ip;
                result.ReachedEntry = false;
                return false;
            }
            StackFrameIteration.ContinueAtDispatchFrame(frame, exInfo);
            funcletDispatch = 0;
            valid = true;
        }
    }

    private static bool ScanFrame<TVisitor>(FrameIteratorState* frame, bool reportUntracked, bool reportScratch, ref TVisitor visitor, ref StackScanResult result) where TVisitor : struct, IRootVisitor
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
            reportUntracked, reportScratchSlots: reportScratch, ref resolver);
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
