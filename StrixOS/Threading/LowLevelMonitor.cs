using System.Runtime.InteropServices;
using StrixOS.Plugs;

namespace StrixOS.Threading;

/// <summary>
/// A mutex with one condition, what CoreLib's LowLevelMonitor wraps (pthread_mutex + pthread_cond on Linux)
/// and builds every lock, event, semaphore, Monitor.Wait and Thread.Sleep on. Blocking goes through the
/// scheduler's wait queues; interrupts off is the lock on its state. Lock waiters are woken one at a time
/// on release and compete again (no hand-off), as a futex-based mutex does.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LowLevelMonitor
{
    public ThreadControl* Owner;
    public WaitQueue LockWaiters;
    public WaitQueue ConditionWaiters;

    public static void Acquire(LowLevelMonitor* monitor)
    {
        ulong flags = InterruptFlag.SaveAndDisable();
        AcquireWithInterruptsOff(monitor);
        InterruptFlag.Restore(flags);
    }

    public static void Release(LowLevelMonitor* monitor)
    {
        ulong flags = InterruptFlag.SaveAndDisable();
        ReleaseWithInterruptsOff(monitor);
        InterruptFlag.Restore(flags);
    }

    /// <summary>Releases, waits for a signal (or the timeout: <paramref name="timeoutMs"/> &lt; 0 is none), re-acquires.
    /// False when the timeout ended the wait.</summary>
    public static bool Wait(LowLevelMonitor* monitor, int timeoutMs)
    {
        ulong flags = InterruptFlag.SaveAndDisable();
        ThreadControl* self = Scheduler.Current;
        if (monitor->Owner != self)
            Diagnostics.Panic.Fail("LowLevelMonitor: Wait by a thread that does not hold the monitor");
        ReleaseWithInterruptsOff(monitor);
        bool signalled = true;
        if (timeoutMs != 0)
        {
            monitor->ConditionWaiters.Enqueue(self);
            ulong deadline = timeoutMs < 0 ? 0 : Cpu.Timestamp.Nanoseconds + (ulong)timeoutMs * 1_000_000UL;
            signalled = Scheduler.Block(&monitor->ConditionWaiters, deadline);
        }
        else
        {
            signalled = false;
        }
        AcquireWithInterruptsOff(monitor);
        InterruptFlag.Restore(flags);
        return signalled;
    }

    /// <summary>Wakes one condition waiter, then releases.</summary>
    public static void SignalAndRelease(LowLevelMonitor* monitor)
    {
        ulong flags = InterruptFlag.SaveAndDisable();
        ThreadControl* waiter = monitor->ConditionWaiters.Dequeue();
        if (waiter != null)
            _ = Scheduler.Wake(waiter);
        ReleaseWithInterruptsOff(monitor);
        InterruptFlag.Restore(flags);
    }

    private static void AcquireWithInterruptsOff(LowLevelMonitor* monitor)
    {
        ThreadControl* self = Scheduler.Current;
        while (monitor->Owner != null)
        {
            if (monitor->Owner == self)
                Diagnostics.Panic.Fail("LowLevelMonitor: acquired twice by the same thread (it is not recursive)");
            monitor->LockWaiters.Enqueue(self);
            _ = Scheduler.Block(&monitor->LockWaiters, 0);
        }
        monitor->Owner = self;
    }

    private static void ReleaseWithInterruptsOff(LowLevelMonitor* monitor)
    {
        monitor->Owner = null;
        ThreadControl* waiter = monitor->LockWaiters.Dequeue();
        if (waiter != null)
            _ = Scheduler.Wake(waiter);
    }
}
