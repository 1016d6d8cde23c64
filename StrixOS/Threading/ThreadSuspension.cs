using System.Runtime;
using StrixOS.Plugs;
using StrixOS.Runtime.Collector;
using StrixOS.Runtime.Exceptions;
using StrixOS.Runtime.Unwinding;

namespace StrixOS.Threading;

/// <summary>What <see cref="ThreadSuspension.StopOthers"/> achieved.</summary>
internal enum SuspendOutcome
{
    /// <summary>Every other thread is at a point its GC info describes; interrupts are off until <see cref="ThreadSuspension.ResumeOthers"/>.</summary>
    Stopped,
    /// <summary>Another thread was collecting: this one waited until it finished (nothing to resume).</summary>
    OtherCollected,
    /// <summary>Some thread did not reach a safepoint in time (it kept running in code with no GC info for its state).</summary>
    NotStopped,
}

/// <summary>
/// Brings every other thread to a safepoint before a collection, as .NET does: a thread that switched out
/// itself is at a call already; a thread preempted in fully interruptible code is reported from its
/// interrupt frame; a thread preempted anywhere else has the return address of its innermost frame
/// hijacked (replaced by strix_gc_hijack_stub) and runs on until that method returns into the stub, which
/// parks it at its caller's safepoint until the collection ends. Hijacks still armed when the collection
/// starts or gives up are taken back. Threads that ask for a collection while one runs wait for it.
/// </summary>
internal static unsafe class ThreadSuspension
{
    /// <summary>How many times the collector lets the others run before it gives up on a collection.</summary>
    public const int MaxRounds = 1000;

    private static bool s_collecting;
    private static WaitQueue s_parked;
    private static ulong s_stub;

    public static ulong Hijacks { get; private set; }
    public static ulong HijacksReached { get; private set; }
    public static ulong Rounds { get; private set; }
    public static ulong GaveUp { get; private set; }
    /// <summary>Times a collection found a preempted thread in fully interruptible code (scanned from its interrupt frame).</summary>
    public static ulong StoppedInInterruptibleCode { get; private set; }

    public static ulong StubAddress => s_stub != 0 ? s_stub : (s_stub = ContextSwitch.HijackStubAddress());

    /// <summary>Stops the others at safepoints. On <see cref="SuspendOutcome.Stopped"/> interrupts stay off and
    /// <paramref name="flags"/> is for <see cref="ResumeOthers"/>; otherwise they are as they were.</summary>
    public static SuspendOutcome StopOthers(out ulong flags)
    {
        flags = InterruptFlag.SaveAndDisable();
        if (!Scheduler.IsRunning)
            return SuspendOutcome.Stopped;
        ThreadControl* self = Scheduler.Current;
        if (s_collecting)
        {
            Park(self);
            InterruptFlag.Restore(flags);
            return SuspendOutcome.OtherCollected;
        }
        s_collecting = true;
        for (int round = 0; ; round++)
        {
            bool allStopped = true;
            for (ThreadControl* thread = Scheduler.AllThreads; thread != null; thread = thread->AllNext)
            {
                if (thread == self)
                    continue;
                ThreadScanState state = StackRootScanner.Classify(thread);
                if (state == ThreadScanState.InterruptedAtSafePoint)
                    StoppedInInterruptibleCode++;
                if (state != ThreadScanState.NotAtSafePoint)
                {
                    // Stopped where it can be scanned: a hijack it did not reach yet must not stay in its stack.
                    if (state != ThreadScanState.ParkedAtHijack)
                        Unhijack(thread);
                    continue;
                }
                allStopped = false;
                if (thread->HijackedSlot == null)
                    TryHijack(thread);
            }
            if (allStopped)
                return SuspendOutcome.Stopped;
            if (round == MaxRounds)
            {
                GaveUp++;
                ResumeOthers(flags);
                return SuspendOutcome.NotStopped;
            }
            Rounds++;
            Scheduler.YieldWithInterruptsOff();
        }
    }

    /// <summary>Ends the stop: takes back armed hijacks, wakes the parked threads, restores interrupts.</summary>
    public static void ResumeOthers(ulong flags)
    {
        if (Scheduler.IsRunning)
        {
            for (ThreadControl* thread = Scheduler.AllThreads; thread != null; thread = thread->AllNext)
                Unhijack(thread);
            s_collecting = false;
            ThreadControl* parked;
            while ((parked = s_parked.Dequeue()) != null)
                _ = Scheduler.Wake(parked);
        }
        InterruptFlag.Restore(flags);
    }

    private static void Park(ThreadControl* self)
    {
        while (s_collecting)
        {
            s_parked.Enqueue(self);
            _ = Scheduler.Block((WaitQueue*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref s_parked), 0);
        }
    }

    /// <summary>Points the return address of the interrupted method at the stub, when the interrupted code is a managed
    /// method outside its epilogue whose caller is managed code too; otherwise leaves the thread to run on.</summary>
    private static void TryHijack(ThreadControl* thread)
    {
        Cpu.ExceptionFrame* interrupted = thread->InterruptFrame;
        ulong ip = interrupted->Rip;
        if (!KernelCode.TryDecode(ip, out DecodedFrame decoded) || !decoded.HasRow || InEpilogue((byte*)ip))
            return;
        UnwindRow row = decoded.Row;
        if (!row.IsSaved(16))
            return;
        ulong cfa;
        if (row.CfaRegister == 7)
            cfa = interrupted->Rsp;
        else if (row.CfaRegister == 6)
            cfa = interrupted->Rbp;
        else
            return;
        ulong* slot = (ulong*)((long)cfa + row.CfaOffset + row.SavedOffset[16]);
        ulong returnAddress = *slot;
        if (!KernelCode.TryDecode(returnAddress - 1, out _))
            return;                     // returns into a funclet thunk or assembly: not a safepoint
        thread->HijackedSlot = slot;
        thread->HijackedReturnAddress = returnAddress;
        *slot = StubAddress;
        Hijacks++;
    }

    private static void Unhijack(ThreadControl* thread)
    {
        if (thread->HijackedSlot == null)
            return;
        if (*thread->HijackedSlot == StubAddress)
            *thread->HijackedSlot = thread->HijackedReturnAddress;
        thread->HijackedSlot = null;
    }

    /// <summary>
    /// Is <paramref name="code"/> inside an epilogue (ILC's: stack release, pops, then ret or a tail jump)? There the
    /// unwind rows still describe the full frame, so the return address is not where they say.
    /// </summary>
    private static bool InEpilogue(byte* code)
    {
        for (int steps = 0; steps < 16; steps++)
        {
            byte b = code[0];
            if (b == 0xC3 || b == 0xE9 || b == 0xEB)
                return true;                                        // ret, jmp (tail call)
            if (b >= 0x58 && b <= 0x5F)
                code += 1;                                          // pop r64
            else if (b == 0x41 && code[1] >= 0x58 && code[1] <= 0x5F)
                code += 2;                                          // pop r8-r15
            else if (b == 0x48 && code[1] == 0x83 && code[2] == 0xC4)
                code += 4;                                          // add rsp, imm8
            else if (b == 0x48 && code[1] == 0x81 && code[2] == 0xC4)
                code += 7;                                          // add rsp, imm32
            else if (b == 0x48 && code[1] == 0x8D && code[2] == 0x65)
                code += 4;                                          // lea rsp, [rbp + disp8]
            else if (b == 0x48 && code[1] == 0x8D && code[2] == 0xA5)
                code += 7;                                          // lea rsp, [rbp + disp32]
            else if (b == 0xC9)
                code += 1;                                          // leave
            else
                return false;
        }
        return false;
    }

    /// <summary>The hijack stub: the thread's method returned; park it at the caller's safepoint until the collection ends.</summary>
    [RuntimeExport("StrixGcHijackReached")]
    private static void HijackReached(HijackFrame* frame)
    {
        ulong flags = InterruptFlag.SaveAndDisable();
        ThreadControl* self = Scheduler.Current;
        frame->ReturnAddress = self->HijackedReturnAddress;
        self->HijackedSlot = null;
        HijacksReached++;
        self->HijackFrame = frame;
        Park(self);
        self->HijackFrame = null;
        InterruptFlag.Restore(flags);
    }

    /// <summary>
    /// A stack walk of the running thread (an exception's dispatch) met the stub as the return address in
    /// <paramref name="slot"/>: the hijack is taken back, and the real return address is the answer.
    /// </summary>
    public static ulong TakeBackForWalk(ulong* slot)
    {
        ThreadControl* self = Scheduler.Current;
        if (self->HijackedSlot != slot)
            return *slot;
        ulong flags = InterruptFlag.SaveAndDisable();
        *slot = self->HijackedReturnAddress;
        self->HijackedSlot = null;
        InterruptFlag.Restore(flags);
        return *slot;
    }
}
