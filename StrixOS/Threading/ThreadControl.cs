using System.Runtime.InteropServices;
using StrixOS.Cpu;

namespace StrixOS.Threading;

/// <summary>Where a kernel thread is in its life.</summary>
internal enum ThreadRunState
{
    /// <summary>In the run queue (or running: <see cref="Scheduler.Current"/>).</summary>
    Ready,
    Running,
    /// <summary>Waiting on a monitor, a lock or a deadline; only <see cref="Scheduler.Wake"/> or the timer makes it ready.</summary>
    Blocked,
    /// <summary>Finished: its stack and TLS block wait for the reaper.</summary>
    Dead,
}

/// <summary>
/// One kernel thread, in unmanaged memory: the scheduler reads it in interrupt handlers and the
/// collector while the heap is stopped, neither of which may allocate or move objects. The only
/// object reference it holds, the thread-static storage root, is reported by the collector.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ThreadControl
{
    public const int MaxInlinedThreadStaticRoots = 8;

    /// <summary>The stack pointer strix_switch_context saved (offset 0: the assembly's view).</summary>
    public ulong SavedStackPointer;
    public ulong Id;
    public ThreadRunState State;
    /// <summary>The <see cref="System.Threading.ThreadPriority"/> level (0 Lowest .. 4 Highest) the run queue uses.</summary>
    public int Priority;
    /// <summary>When it last entered the run queue (ns): its waiting time weighs against priority (<see cref="ReadyQueues"/>).</summary>
    public ulong ReadySince;
    /// <summary>A weak GC handle to CoreLib's Thread for this thread, or null (<see cref="ThreadPriorities"/>).</summary>
    public ulong* ThreadObject;
    /// <summary>Nesting of <see cref="Scheduler.DisablePreemption"/> on this thread: it belongs to the thread, so a
    /// thread that blocks inside such a section does not leave the next one unpreemptible.</summary>
    public int PreemptionDisabled;
    /// <summary>Link in the run queue or in one wait queue (a thread is in at most one of them).</summary>
    public ThreadControl* Next;
    /// <summary>Link in the sleep queue, ordered by <see cref="WakeAt"/>.</summary>
    public ThreadControl* SleepNext;
    /// <summary>Link in the list of every live thread (the collector scans them all).</summary>
    public ThreadControl* AllNext;
    /// <summary>Deadline on the monotonic clock in ns; 0: not sleeping.</summary>
    public ulong WakeAt;
    /// <summary>Set when the deadline, not a wake-up, ended the last block.</summary>
    public bool TimedOut;
    /// <summary>The wait queue holding this thread, so a timeout can take it out.</summary>
    public WaitQueue* WaitingIn;
    /// <summary>The interrupt frame when the thread was preempted (switched out inside an interrupt), else null.</summary>
    public ExceptionFrame* InterruptFrame;
    /// <summary>Where a hijack replaced this thread's return address (ThreadSuspension), and the address it replaced.</summary>
    public ulong* HijackedSlot;
    public ulong HijackedReturnAddress;
    /// <summary>Set while the thread is parked in the hijack stub: its registers at the safepoint.</summary>
    public HijackFrame* HijackFrame;

    public ulong StackSlot;
    /// <summary>The usable stack [StackBottom, StackTop); the guard page lies just below StackBottom.</summary>
    public ulong StackBottom, StackTop;
    /// <summary>The thread pointer (FS base): the TLS image lies just below it.</summary>
    public ulong ThreadPointer;
    public byte* TlsAllocation;

    /// <summary>CoreLib's start routine and its argument (SystemNative_CreateThread).</summary>
    public nint StartRoutine, StartArgument;
    /// <summary>CoreLib's thread-exit callback (RhSetThreadExitCallback), called on the thread as it ends.</summary>
    public nint ExitCallback;

    /// <summary>Thread statics ILC cannot inline (RhGetThreadStaticStorage): an object[][] or null. A GC root.</summary>
    public ulong ThreadStaticStorage;
    /// <summary>This thread's TLS cells holding inlined thread-static storage (RhRegisterInlinedThreadStaticRoot). GC roots.</summary>
    public fixed ulong InlinedThreadStaticRoots[MaxInlinedThreadStaticRoots];
    public int InlinedThreadStaticRootCount;

    /// <summary>This thread's allocation context (<see cref="Runtime.Collector.AllocationContext"/>: pointer, limit), registered with the collector.</summary>
    public fixed ulong AllocationContext[2];

    /// <summary>Nanoseconds of CPU time used (SystemNative_GetCpuUtilization), and when it last started running.</summary>
    public ulong CpuNanoseconds, RunningSince;
    /// <summary>The thread's name (RhSetCurrentThreadName), UTF-16, truncated.</summary>
    public fixed char Name[32];
    public int NameLength;
}

/// <summary>A FIFO of blocked threads, linked through <see cref="ThreadControl.Next"/>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct WaitQueue
{
    public ThreadControl* Head, Tail;

    public bool IsEmpty => Head == null;

    public void Enqueue(ThreadControl* thread)
    {
        thread->Next = null;
        if (Tail == null)
            Head = thread;
        else
            Tail->Next = thread;
        Tail = thread;
    }

    public ThreadControl* Dequeue()
    {
        ThreadControl* thread = Head;
        if (thread == null)
            return null;
        Head = thread->Next;
        if (Head == null)
            Tail = null;
        thread->Next = null;
        return thread;
    }

    /// <summary>Takes <paramref name="thread"/> out wherever it is; false if it is not here.</summary>
    public bool Remove(ThreadControl* thread)
    {
        ThreadControl* previous = null;
        for (ThreadControl* t = Head; t != null; previous = t, t = t->Next)
        {
            if (t != thread)
                continue;
            if (previous == null)
                Head = t->Next;
            else
                previous->Next = t->Next;
            if (Tail == t)
                Tail = previous;
            t->Next = null;
            return true;
        }
        return false;
    }
}
