using System.Runtime.InteropServices;
using StrixOS.Diagnostics;
using StrixOS.Plugs;
using StrixOS.Threading;

namespace StrixOS.Runtime.Collector;

/// <summary>
/// The finalizer thread, as .NET has one: a kernel thread that sleeps until a collection queues finalizable
/// objects (<see cref="FinalizerQueue.QueueUnreachable"/> calls <see cref="Signal"/>), then runs their
/// finalizers in queue order, so a finalizer never runs inside an allocation or on a thread holding a lock.
/// <c>GC.WaitForPendingFinalizers</c> blocks until every finalizer queued when it was called has run. Called
/// on the finalizer thread itself (from a finalizer) it returns at once, as CoreCLR's does: that thread cannot
/// wait for itself, and NativeAOT's would deadlock.
/// </summary>
internal static unsafe class FinalizerThread
{
    private static ThreadControl* s_thread;
    /// <summary>The finalizer thread while it waits for work (zero or one thread).</summary>
    private static WaitQueue* s_idle;
    /// <summary>Threads in <see cref="WaitForPending"/>.</summary>
    private static WaitQueue* s_waiters;

    /// <summary>The thread exists: collections leave finalizers to it.</summary>
    public static bool IsRunning => s_thread != null;

    public static bool IsCurrent => s_thread != null && Scheduler.Current == s_thread;

    /// <summary>Creates the thread; the scheduler must run. Finalizers queued before then run at once.</summary>
    public static void Start()
    {
        s_idle = (WaitQueue*)KernelHeap.Allocate((ulong)sizeof(WaitQueue));
        s_waiters = (WaitQueue*)KernelHeap.Allocate((ulong)sizeof(WaitQueue));
        FinalizerQueue.RunPending();
        // Highest, as CoreCLR's finalizer thread: finalization keeps up with threads that allocate.
        ThreadControl* thread = Scheduler.Create((nint)(delegate* unmanaged<nint, nint>)&Loop, 0, 0, ReadyQueues.Levels - 1, null, out ThreadCreateError error);
        if (thread == null)
            Panic.Fail($"no finalizer thread ({error})");
        Scheduler.SetName(thread, "finalizer");
        s_thread = thread;
    }

    /// <summary>Wakes the thread if it waits for work. Interrupts are off (the collector's).</summary>
    public static void Signal()
    {
        if (s_idle == null)
            return;
        ThreadControl* thread = s_idle->Dequeue();
        if (thread != null)
            _ = Scheduler.Wake(thread);
    }

    /// <summary>GC.WaitForPendingFinalizers: until the finalizers queued so far have run.</summary>
    public static void WaitForPending()
    {
        if (!IsRunning)
        {
            FinalizerQueue.RunPending();
            return;
        }
        if (IsCurrent)
            return;
        ulong flags = InterruptFlag.SaveAndDisable();
        ulong target = FinalizerQueue.QueuedTotal;
        while (FinalizerQueue.FinishedTotal < target)
        {
            s_waiters->Enqueue(Scheduler.Current);
            _ = Scheduler.Block(s_waiters, 0);
        }
        InterruptFlag.Restore(flags);
    }

    [UnmanagedCallersOnly]
    private static nint Loop(nint argument)
    {
        while (true)
        {
            ulong flags = InterruptFlag.SaveAndDisable();
            while (FinalizerQueue.PendingCount == 0)
            {
                WakeWaiters();
                s_idle->Enqueue(Scheduler.Current);
                _ = Scheduler.Block(s_idle, 0);
            }
            InterruptFlag.Restore(flags);
            _ = FinalizerQueue.RunNext();
            flags = InterruptFlag.SaveAndDisable();
            WakeWaiters();
            InterruptFlag.Restore(flags);
        }
    }

    private static void WakeWaiters()
    {
        ThreadControl* waiter;
        while ((waiter = s_waiters->Dequeue()) != null)
            _ = Scheduler.Wake(waiter);
    }
}
