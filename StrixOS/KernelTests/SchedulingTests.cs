using System;
using System.Runtime.CompilerServices;
using System.Threading;
using StrixOS.Runtime.Collector;
using StrixOS.Testing;
using StrixOS.Threading;

namespace StrixOS.KernelTests;

/// <summary>The scheduler's policies: priorities, the per-thread preemption count, the finalizer thread.</summary>
public static unsafe class SchedulingTests
{
    public static void Register(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("Scheduling");
        suite.Add(nameof(FinalizersRunOnTheFinalizerThread), &FinalizersRunOnTheFinalizerThread);
        suite.Add(nameof(PreemptionDisabledBelongsToTheThread), &PreemptionDisabledBelongsToTheThread);
        suite.Add(nameof(HigherPriorityGetsTheLargerShareAndLowestStillRuns), &HigherPriorityGetsTheLargerShareAndLowestStillRuns);
    }

    private static string? s_finalizedOn;
    private static int s_finalizedThreadId;
    private static bool s_waitInsideFinalizerReturned;

    private sealed class NotesItsThread
    {
        ~NotesItsThread()
        {
            s_finalizedOn = Scheduler.NameOf(Scheduler.Current);
            s_finalizedThreadId = Environment.CurrentManagedThreadId;
            GC.WaitForPendingFinalizers();              // on the finalizer thread: returns at once, no deadlock
            s_waitInsideFinalizerReturned = true;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void MakeGarbage() => _ = new NotesItsThread();

    private static void FinalizersRunOnTheFinalizerThread(TestContext t)
    {
        s_finalizedOn = null;
        s_waitInsideFinalizerReturned = false;
        MakeGarbage();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        t.Equal("finalizer", s_finalizedOn);
        t.True(s_finalizedThreadId != Environment.CurrentManagedThreadId, $"finalized on managed thread {s_finalizedThreadId}, the test's is {Environment.CurrentManagedThreadId}");
        t.True(s_waitInsideFinalizerReturned, "GC.WaitForPendingFinalizers inside a finalizer returned");
        t.Equal(0UL, FinalizerQueue.PendingCount);
    }

    private static void PreemptionDisabledBelongsToTheThread(TestContext t)
    {
        // A thread that blocks with preemption disabled keeps its count to itself: the others stay preemptible.
        int depthInside = -1;
        var thread = new Thread(() =>
        {
            Scheduler.DisablePreemption();
            depthInside = Scheduler.PreemptionDisabledDepth;
            Thread.Sleep(20);
            Scheduler.EnablePreemption();
        });
        thread.Start();
        Thread.Sleep(5);
        int depthHere = Scheduler.PreemptionDisabledDepth;
        t.True(thread.Join(5000), "the thread ended");
        t.Equal(1, depthInside);
        t.Equal(0, depthHere);
    }

    private static void HigherPriorityGetsTheLargerShareAndLowestStillRuns(TestContext t)
    {
        int stop = 0;
        long highSpins = 0, lowSpins = 0;
        var high = new Thread(() => { while (Volatile.Read(ref stop) == 0) highSpins++; });
        var low = new Thread(() => { while (Volatile.Read(ref stop) == 0) lowSpins++; }) { Priority = ThreadPriority.Lowest };
        low.Start();
        high.Start();
        high.Priority = ThreadPriority.Highest;         // after the start: the scheduler follows the change
        Thread.Sleep(400);
        Volatile.Write(ref stop, 1);
        t.True(high.Join(5000) && low.Join(5000), "both spinners stopped");
        t.True(lowSpins > 0, "the lowest-priority thread ran");
        t.True(highSpins > 2 * lowSpins, $"Highest spun {highSpins}, Lowest {lowSpins}");
    }
}
