using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using StrixOS.Boot.Stage;
using StrixOS.Cpu;
using StrixOS.Diagnostics;
using StrixOS.Plugs;

namespace StrixOS.Threading;

/// <summary>Why a thread could not be created.</summary>
internal enum ThreadCreateError
{
    None,
    /// <summary>No stack slot or no frames for the stack.</summary>
    OutOfStackMemory,
    /// <summary>The scheduler has not started (before device start-up).</summary>
    NotStarted,
}

/// <summary>
/// The kernel's scheduler: one CPU, preemptive round robin. Interrupts off is its lock (one CPU; a
/// second CPU would add a spin lock beside it). The local APIC timer, one-shot, fires at the end of the
/// running thread's quantum or at the earliest sleeper's deadline, whichever is first; the handler wakes
/// due sleepers and, when the quantum is spent and another thread is ready, switches at the end of the
/// interrupt (<see cref="OnInterruptExit"/>), so a preempted thread's interrupt frame stays on its own stack.
/// A thread that blocks is in exactly one wait queue (a monitor's) and possibly the sleep queue (a timeout).
/// With nothing ready, the idle thread halts the CPU until the next interrupt.
/// </summary>
internal static unsafe class Scheduler
{
    public const ulong QuantumNs = 10_000_000;
    private const uint FsBaseMsr = 0xC0000100;

    private static ThreadControl* s_bootThread;
    private static ThreadControl* s_current;
    private static ThreadControl* s_idle;
    private static ReadyQueues s_ready;
    private static ThreadControl* s_sleepers;
    private static ThreadControl* s_all;
    private static ThreadControl* s_dead;
    private static ulong s_nextId;
    private static ulong s_quantumEnd;
    private static bool s_rescheduleRequested;
    /// <summary>Preemption nesting before the boot thread's control block exists (it moves there when it is made).</summary>
    private static int s_earlyPreemptionDisabled;
    private static ulong s_tlsImage, s_tlsInitializedBytes, s_tlsBlockBytes;

    /// <summary>Preemptive scheduling runs (the timer is the scheduler's); before that there is only the boot thread.</summary>
    public static bool IsRunning { get; private set; }
    public static ulong ContextSwitches { get; private set; }
    public static ulong Preemptions { get; private set; }
    /// <summary>Threads alive now, the boot and idle threads included.</summary>
    public static int LiveThreads { get; private set; } = 1;
    public static ulong ThreadsCreated { get; private set; }

    /// <summary>The running thread's control block (the boot thread's before <see cref="Start"/>).</summary>
    public static ThreadControl* Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => s_current != null ? s_current : BootThread();
    }

    /// <summary>The first thread in the list of every live thread (<see cref="ThreadControl.AllNext"/>).</summary>
    public static ThreadControl* AllThreads
    {
        get
        {
            _ = Current;
            return s_all;
        }
    }

    public static ThreadControl* IdleThread => s_idle;

    /// <summary>CPU time the idle thread has had up to <paramref name="now"/>: the CPU's unused time since start.</summary>
    public static ulong IdleNanoseconds(ulong now)
    {
        if (s_idle == null)
            return 0;
        ulong flags = InterruptFlag.SaveAndDisable();
        ulong idle = s_idle->CpuNanoseconds + (s_current == s_idle && now > s_idle->RunningSince ? now - s_idle->RunningSince : 0);
        InterruptFlag.Restore(flags);
        return idle;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ThreadControl* BootThread()
    {
        if (s_current == null)
        {
            // Runs inside CoreLib's start-up already (thread statics): the early heap serves it.
            ThreadControl* boot = (ThreadControl*)Runtime.KernelHeap.Allocate((ulong)sizeof(ThreadControl));
            s_bootThread = boot;
            BootLayout* layout = BootLayout.Current;
            boot->Id = ++s_nextId;
            boot->State = ThreadRunState.Running;
            boot->Priority = ReadyQueues.NormalLevel;
            boot->PreemptionDisabled = s_earlyPreemptionDisabled;
            s_earlyPreemptionDisabled = 0;
            boot->StackBottom = layout->StackGuard + 4096;
            boot->StackTop = layout->StackTop;
            boot->ThreadPointer = X64.ReadMsr(FsBaseMsr);
            SetName(boot, "boot");
            s_all = boot;
            s_current = boot;
        }
        return s_current;
    }

    /// <summary>Calibrates the timer, creates the idle thread and starts preemption. Interrupts and the stacks must be up.</summary>
    public static void Start()
    {
        ulong tlsImage, tlsInitialized, tlsBlock;
        ContextSwitch.TlsImage(&tlsImage, &tlsInitialized, &tlsBlock);
        s_tlsImage = tlsImage;
        s_tlsInitializedBytes = tlsInitialized;
        s_tlsBlockBytes = tlsBlock;
        Clock.CalibrateTimer();
        ThreadControl* boot = Current;
        Interrupts.RegisterLocalVector(LocalApic.TimerVector, OnTimer);
        ThreadControl* idle = CreateControl(ThreadStacks.MinStackBytes, out ThreadCreateError error);
        if (idle == null)
            Panic.Fail($"scheduler: no idle thread ({error})");
        idle->StartRoutine = 0;
        SetName(idle, "idle");
        s_idle = idle;
        ulong flags = InterruptFlag.SaveAndDisable();
        ulong now = Timestamp.Nanoseconds;
        boot->RunningSince = now;
        s_quantumEnd = now + QuantumNs;
        IsRunning = true;
        ProgramTimer(now);
        InterruptFlag.Restore(flags);
    }

    /// <summary>A new ready thread running <paramref name="startRoutine"/>(<paramref name="argument"/>) (an unmanaged
    /// function pointer, as pthread_create takes) on a stack of <paramref name="stackBytes"/> (0: the default).</summary>
    public static ThreadControl* Create(nint startRoutine, nint argument, ulong stackBytes, out ThreadCreateError error) =>
        Create(startRoutine, argument, stackBytes, ReadyQueues.NormalLevel, null, out error);

    /// <summary>As above, at priority <paramref name="priority"/>, or at the priority of the CoreLib Thread behind the weak
    /// handle <paramref name="threadObject"/> when there is one (the new thread owns the handle).</summary>
    public static ThreadControl* Create(nint startRoutine, nint argument, ulong stackBytes, int priority, ulong* threadObject, out ThreadCreateError error)
    {
        if (!IsRunning)
        {
            error = ThreadCreateError.NotStarted;
            return null;
        }
        ThreadControl* thread = CreateControl(ThreadStacks.SizeFor(stackBytes), out error);
        if (thread == null)
            return null;
        thread->StartRoutine = startRoutine;
        thread->StartArgument = argument;
        ulong flags = InterruptFlag.SaveAndDisable();
        thread->Priority = ReadyQueues.Clamp(priority);
        thread->ThreadObject = threadObject;
        thread->State = ThreadRunState.Ready;
        MakeReady(thread);
        InterruptFlag.Restore(flags);
        return thread;
    }

    private static ThreadControl* CreateControl(ulong stackBytes, out ThreadCreateError error)
    {
        error = ThreadCreateError.None;
        ulong flags = InterruptFlag.SaveAndDisable();
        Reap();
        if (!ThreadStacks.TryAllocate(stackBytes, out ulong slot, out ulong bottom, out ulong top))
        {
            InterruptFlag.Restore(flags);
            error = ThreadCreateError.OutOfStackMemory;
            return null;
        }
        var thread = (ThreadControl*)Runtime.KernelHeap.Allocate((ulong)sizeof(ThreadControl));
        thread->Id = ++s_nextId;
        thread->StackSlot = slot;
        thread->StackBottom = bottom;
        thread->StackTop = top;
        thread->State = ThreadRunState.Blocked;
        thread->PreemptionDisabled = 0;
        thread->Priority = ReadyQueues.NormalLevel;
        thread->ThreadObject = null;

        // TLS (x86-64 variant II): the image just below the thread pointer, which points to itself.
        ulong blockBytes = s_tlsBlockBytes;
        byte* allocation = Runtime.KernelHeap.Allocate(blockBytes + 64 + 16);
        ulong threadPointer = ((ulong)allocation + blockBytes + 63) & ~63UL;
        Unsafe.CopyBlockUnaligned((void*)(threadPointer - blockBytes), (void*)s_tlsImage, (uint)s_tlsInitializedBytes);
        *(ulong*)threadPointer = threadPointer;
        thread->TlsAllocation = allocation;
        thread->ThreadPointer = threadPointer;

        // The frame strix_switch_context pops: FPU control, r15..rbp, then the return into strix_thread_start.
        ulong* frame = (ulong*)(top - 16 - ContextSwitch.SavedWords * 8);
        frame[ContextSwitch.SavedFpuControlSlot] = ContextSwitch.InitialFpuControl;
        frame[ContextSwitch.SavedR12Slot] = (ulong)thread;
        frame[ContextSwitch.ReturnAddressSlot] = ContextSwitch.ThreadStartAddress();
        thread->SavedStackPointer = (ulong)frame;

        thread->AllNext = s_all;
        s_all = thread;
        AllocationContextHooks.Created(thread);
        LiveThreads++;
        ThreadsCreated++;
        InterruptFlag.Restore(flags);
        return thread;
    }

    public static void SetName(ThreadControl* thread, string name)
    {
        int length = name.Length < 32 ? name.Length : 32;
        for (int i = 0; i < length; i++)
            thread->Name[i] = name[i];
        thread->NameLength = length;
    }

    public static string NameOf(ThreadControl* thread) => new string(thread->Name, 0, thread->NameLength);

    /// <summary>Gives the CPU to another ready thread, if there is one; true if another thread ran.</summary>
    public static bool Yield()
    {
        if (!IsRunning)
            return false;
        ulong flags = InterruptFlag.SaveAndDisable();
        bool switched = !s_ready.IsEmpty;
        if (switched)
            RequeueAndSwitch();
        InterruptFlag.Restore(flags);
        return switched;
    }

    /// <summary>With interrupts off: gives the CPU to the next ready thread, if any (the collector waiting for safepoints).</summary>
    public static void YieldWithInterruptsOff()
    {
        if (!s_ready.IsEmpty)
            RequeueAndSwitch();
    }

    /// <summary>Blocks the current thread until <see cref="Wake"/> or, if <paramref name="deadlineNs"/> is not 0, the
    /// deadline; the caller has put it in a wait queue (<paramref name="queue"/>, or null) with interrupts off.
    /// Returns false when the deadline ended the wait.</summary>
    public static bool Block(WaitQueue* queue, ulong deadlineNs)
    {
        ThreadControl* self = Current;
        self->State = ThreadRunState.Blocked;
        self->WaitingIn = queue;
        self->TimedOut = false;
        if (deadlineNs != 0)
            InsertSleeper(self, deadlineNs);
        SwitchTo(PickNext());
        self->WaitingIn = null;
        return !self->TimedOut;
    }

    /// <summary>Makes a blocked thread ready (interrupts off); false if it was not blocked.</summary>
    public static bool Wake(ThreadControl* thread)
    {
        if (thread->State != ThreadRunState.Blocked)
            return false;
        if (thread->WakeAt != 0)
            RemoveSleeper(thread);
        thread->State = ThreadRunState.Ready;
        MakeReady(thread);
        if (s_current == s_idle)
            s_rescheduleRequested = true;
        return true;
    }

    /// <summary>Sleeps until <paramref name="deadlineNs"/> on the monotonic clock.</summary>
    public static void SleepUntil(ulong deadlineNs)
    {
        ulong flags = InterruptFlag.SaveAndDisable();
        if (Timestamp.Nanoseconds < deadlineNs)
            _ = Block(null, deadlineNs);
        InterruptFlag.Restore(flags);
    }

    /// <summary>Ends the current thread: never returns. Its stack is freed by the next thread that runs.</summary>
    public static void Exit()
    {
        X64.DisableInterrupts();
        ThreadControl* self = Current;
        if (self == s_bootThread || self == s_idle)
            Panic.Fail("scheduler: the boot or idle thread tried to exit");
        if (s_all == self)
        {
            s_all = self->AllNext;
        }
        else
        {
            ThreadControl* previous = s_all;
            while (previous != null && previous->AllNext != self)
                previous = previous->AllNext;
            if (previous != null)
                previous->AllNext = self->AllNext;
        }
        AllocationContextHooks.Ended(self);
        self->State = ThreadRunState.Dead;
        self->Next = s_dead;
        s_dead = self;
        LiveThreads--;
        SwitchTo(PickNext());
        Panic.Fail("scheduler: a dead thread ran again");
    }

    /// <summary>Keeps the running thread on the CPU until the matching <see cref="EnablePreemption"/> (a preemption that
    /// falls due meanwhile happens then); blocking in between still switches.
    /// The count is the thread's own: a thread switched out inside such a section (it blocked) keeps its count, and
    /// the thread that runs next is preemptible unless it disabled preemption itself.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void DisablePreemption()
    {
        ThreadControl* current = s_current;
        if (current != null)
            current->PreemptionDisabled++;
        else
            s_earlyPreemptionDisabled++;
    }

    public static void EnablePreemption()
    {
        ThreadControl* current = s_current;
        if (current == null)
        {
            s_earlyPreemptionDisabled--;
            return;
        }
        if (--current->PreemptionDisabled == 0 && s_rescheduleRequested && IsRunning)
            _ = Yield();
    }

    /// <summary>The running thread's preemption nesting (0: preemptible).</summary>
    public static int PreemptionDisabledDepth => s_current != null ? s_current->PreemptionDisabled : s_earlyPreemptionDisabled;

    /// <summary>The idle thread: halts until an interrupt, switches when something is ready.</summary>
    private static void IdleLoop()
    {
        while (true)
        {
            X64.DisableInterrupts();
            Reap();
            if (!s_ready.IsEmpty)
                SwitchTo(PickNext());
            else
                InterruptFlag.EnableAndHalt();
        }
    }

    // Interrupts off for everything below.

    private static void RequeueAndSwitch()
    {
        ThreadControl* self = s_current;
        if (self != s_idle)
        {
            self->State = ThreadRunState.Ready;
            MakeReady(self);
        }
        SwitchTo(PickNext());
    }

    private static ThreadControl* PickNext()
    {
        ThreadControl* next = s_ready.Dequeue(Timestamp.Nanoseconds);
        return next != null ? next : s_idle;
    }

    /// <summary>Into the run queue at the thread's current priority (read again from its Thread object).</summary>
    private static void MakeReady(ThreadControl* thread)
    {
        ThreadPriorities.Refresh(thread);
        s_ready.Enqueue(thread, Timestamp.Nanoseconds);
    }

    private static void SwitchTo(ThreadControl* next)
    {
        ThreadControl* previous = s_current;
        s_rescheduleRequested = false;
        ulong now = Timestamp.Nanoseconds;
        s_quantumEnd = now + QuantumNs;
        if (next == previous)
        {
            previous->State = ThreadRunState.Running;
            ProgramTimer(now);
            return;
        }
        previous->CpuNanoseconds += now - previous->RunningSince;
        next->RunningSince = now;
        next->State = ThreadRunState.Running;
        s_current = next;
        if (next->ThreadPointer != previous->ThreadPointer)
            X64.WriteMsr(FsBaseMsr, next->ThreadPointer);
        AllocationContextHooks.SwitchedTo(next, next == s_bootThread);
        ContextSwitches++;
        ProgramTimer(now);
        ContextSwitch.Switch(&previous->SavedStackPointer, next->SavedStackPointer);
        // Running again (as `previous`): free what finished meanwhile.
        Reap();
    }

    private static void Reap()
    {
        while (s_dead != null && s_dead != s_current)
        {
            ThreadControl* dead = s_dead;
            s_dead = dead->Next;
            ThreadStacks.Free(dead->StackSlot, dead->StackBottom, dead->StackTop);
            Runtime.KernelHeap.Free(dead->TlsAllocation);
            Runtime.KernelHeap.Free((byte*)dead);
        }
    }

    private static void InsertSleeper(ThreadControl* thread, ulong deadlineNs)
    {
        thread->WakeAt = deadlineNs;
        if (s_sleepers == null || s_sleepers->WakeAt > deadlineNs)
        {
            thread->SleepNext = s_sleepers;
            s_sleepers = thread;
            return;
        }
        ThreadControl* previous = s_sleepers;
        while (previous->SleepNext != null && previous->SleepNext->WakeAt <= deadlineNs)
            previous = previous->SleepNext;
        thread->SleepNext = previous->SleepNext;
        previous->SleepNext = thread;
    }

    private static void RemoveSleeper(ThreadControl* thread)
    {
        if (s_sleepers == thread)
        {
            s_sleepers = thread->SleepNext;
        }
        else
        {
            ThreadControl* previous = s_sleepers;
            while (previous != null && previous->SleepNext != thread)
                previous = previous->SleepNext;
            if (previous != null)
                previous->SleepNext = thread->SleepNext;
        }
        thread->SleepNext = null;
        thread->WakeAt = 0;
    }

    /// <summary>The timer: wakes due sleepers, asks for a switch when the quantum is spent, sets the next deadline.</summary>
    private static void OnTimer()
    {
        if (!IsRunning)
            return;
        ulong now = Timestamp.Nanoseconds;
        while (s_sleepers != null && s_sleepers->WakeAt <= now)
        {
            ThreadControl* thread = s_sleepers;
            s_sleepers = thread->SleepNext;
            thread->SleepNext = null;
            thread->WakeAt = 0;
            if (thread->WaitingIn != null)
                _ = thread->WaitingIn->Remove(thread);
            thread->TimedOut = true;
            thread->State = ThreadRunState.Ready;
            MakeReady(thread);
        }
        if (!s_ready.IsEmpty && (now >= s_quantumEnd || s_current == s_idle))
            s_rescheduleRequested = true;
        // A spent quantum starts again here: if preemption is off just now, the next tick is a quantum away, not at once.
        if (now >= s_quantumEnd)
            s_quantumEnd = now + QuantumNs;
        ProgramTimer(now);
    }

    /// <summary>Called by the interrupt dispatcher after the end of interrupt: switches if the timer or a wake-up asked.</summary>
    public static void OnInterruptExit(ExceptionFrame* frame)
    {
        if (!s_rescheduleRequested || !IsRunning || s_current->PreemptionDisabled != 0 || s_ready.IsEmpty)
            return;
        ThreadControl* self = s_current;
        self->InterruptFrame = frame;
        Preemptions++;
        RequeueAndSwitch();
        self->InterruptFrame = null;
    }

    /// <summary>The next timer interrupt: the quantum's end (while a thread other than idle runs) or the first deadline.</summary>
    private static void ProgramTimer(ulong now)
    {
        ulong deadline = s_current != s_idle ? s_quantumEnd : ulong.MaxValue;
        if (s_sleepers != null && s_sleepers->WakeAt < deadline)
            deadline = s_sleepers->WakeAt;
        if (deadline == ulong.MaxValue)
        {
            LocalApic.TimerStop();
            return;
        }
        LocalApic.TimerOneShot(Clock.TimerTicksFor(deadline > now ? deadline - now : 0));
    }

    [UnmanagedCallersOnly(EntryPoint = "StrixThreadMain")]
    private static void ThreadMain(ThreadControl* self)
    {
        if (self == s_idle)
            IdleLoop();
        X64.EnableInterrupts();
        ((delegate* unmanaged<nint, nint>)self->StartRoutine)(self->StartArgument);
        nint exitCallback = Runtime.Threading.ExitCallback;
        if (exitCallback != 0)
            ((delegate* unmanaged<void>)exitCallback)();
        ThreadPriorities.Detach(self);
        Exit();
    }
}
