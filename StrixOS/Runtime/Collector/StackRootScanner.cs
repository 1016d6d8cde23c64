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
    /// </summary>
    FuncletActive,
}

internal struct StackScanResult
{
    public StackScanStatus Status;
    public uint Frames;
    public uint Roots;
    /// <summary>Roots reported through the save slot of a callee-saved register.</summary>
    public uint RegisterRoots;
    /// <summary>The return address of the frame that stopped the scan, if it did not complete.</summary>
    public ulong FailedAt;
}

/// <summary>
/// Precise roots on the kernel stack: walks the frames from its caller outwards with the DWARF
/// unwinder (<see cref="StackFrameIteration"/>) and, for each, decodes the method's GC info at the
/// return address (every frame is at a call: the scan runs from inside the allocator or GC.Collect).
/// A live register is reported through the place its value is saved in (a callee's save slot, or the
/// scan's starting context), never as a copy, so a collector that updated it would update the real
/// value: the callee-saved-register case a walker that reads only stack slots misses.
/// </summary>
internal static unsafe class StackRootScanner
{
    [DllImport("*", EntryPoint = "StrixCaptureCallerContext"), SuppressGCTransition]
    private static extern void CaptureCallerContext(LimitedContext* context);

    /// <summary>Scans the frames of the caller of this method and of its callers.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public static StackScanResult Scan<TVisitor>(ref TVisitor visitor) where TVisitor : struct, IRootVisitor
    {
        var result = new StackScanResult();
        LimitedContext context;
        CaptureCallerContext(&context);
        FrameIteratorState frame;
        bool valid = StackFrameIteration.InitFromContext(&frame, &context, instructionFault: false);
        // The first frame is this method's own: it holds no references of its callers.
        if (valid)
            valid = StackFrameIteration.Next(&frame, null);
        while (valid)
        {
            if (frame.Method.IsFunclet)
            {
                result.Status = StackScanStatus.FuncletActive;
                result.FailedAt = frame.OriginalControlPC;
                return result;
            }
            if (!ScanFrame(&frame, ref visitor, ref result))
            {
                result.Status = StackScanStatus.Corrupt;
                result.FailedAt = frame.OriginalControlPC;
                return result;
            }
            result.Frames++;
            valid = StackFrameIteration.Next(&frame, null);
        }
        return result;
    }

    private static bool ScanFrame<TVisitor>(FrameIteratorState* frame, ref TVisitor visitor, ref StackScanResult result) where TVisitor : struct, IRootVisitor
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
            reportUntracked: true, reportScratchSlots: false, ref resolver);
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
