using System;
using System.Diagnostics;
using System.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using StrixOS.Diagnostics;
using StrixOS.Plugs;
using StrixOS.Runtime.Collector;
using StrixOS.Testing;
using StrixOS.Threading;

namespace StrixOS.KernelTests;

/// <summary>
/// Exception dispatch and GC handles with several threads at once (issues 13 and 16): each thread's dispatches
/// keep to its own ExInfo chain while the timer switches between them mid-dispatch, and the handle table stays
/// whole while threads allocate and free handles and another thread collects.
/// </summary>
public static unsafe class ThreadExceptionTests
{
    public static void Register(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("ThreadExceptions");
        suite.Add(nameof(PreemptedThreadsEachCatchAndRethrowTheirOwnExceptions), &PreemptedThreadsEachCatchAndRethrowTheirOwnExceptions);
        suite.Add(nameof(HandlesAllocatedAndFreedOnManyThreadsStayConsistent), &HandlesAllocatedAndFreedOnManyThreadsStayConsistent);
    }

    private const int ThrowingThreads = 4;
    // 0.3-6 s of dispatches on the 2-core host, depending on its load: the threads are switched out many times, nearly
    // always inside a dispatch (a throw costs tens of microseconds, the code between throws next to nothing).
    private const int ThrowIterations = 600;

    /// <summary>An exception that knows which thread and iteration threw it.</summary>
    private sealed class OwnedException : Exception
    {
        public readonly int Owner, Iteration;

        public OwnedException(int owner, int iteration) : base($"thread {owner} iteration {iteration}")
        {
            Owner = owner;
            Iteration = iteration;
        }
    }

    /// <summary>What one test thread saw: the number of checks that failed and the first failure.</summary>
    private class ThreadReport
    {
        public int Mismatches;
        /// <summary>Iterations that began while another thread was switched out in the middle of one of its own.</summary>
        public int Overlaps;
        public string? FirstMismatch;

        public void Check(bool condition, string what)
        {
            if (condition)
                return;
            Mismatches++;
            FirstMismatch ??= what;
        }
    }

    private sealed class ThrowerReport : ThreadReport
    {
        public int Completed, FinallyRuns, FaultsCaught;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowFromBelow(Exception e, int depth)
    {
        if (depth == 0)
            throw e;
        ThrowFromBelow(e, depth - 1);
    }

    private sealed class Box
    {
        public readonly string? Text;

        public Box(string? text) => Text = text;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int LengthOf(Box box) => box.Text!.Length;      // a CPU fault when Text is null

    /// <summary>
    /// One iteration: a throw three frames down, caught by a filter that rethrows (<c>throw;</c>) through a finally;
    /// the outer catch throws and catches an exception of its own, then rethrows its first one (<c>throw;</c> after a
    /// nested dispatch ended inside the catch), caught once more outside; then a CPU fault (a hardware exception).
    /// Every catch checks it sees this thread's exception object of this iteration.
    /// </summary>
    private static void ThrowCatchRethrowOnce(int me, int i, ThrowerReport report)
    {
        var expected = new OwnedException(me, i);
        string message = expected.Message;
        bool finallyRan = false;
        try
        {
            try
            {
                try
                {
                    ThrowFromBelow(expected, 3);
                }
                catch (OwnedException e) when (e.Owner == me)
                {
                    report.Check(ReferenceEquals(e, expected), $"thread {me}: the first catch got \"{e.Message}\", expected \"{message}\"");
                    throw;
                }
                finally
                {
                    finallyRan = true;
                }
            }
            catch (OwnedException e)
            {
                report.Check(ReferenceEquals(e, expected), $"thread {me}: the rethrow reached the second catch as \"{e.Message}\", expected \"{message}\"");
                try
                {
                    ThrowFromBelow(new InvalidOperationException($"inner {me}/{i}"), 1);
                }
                catch (InvalidOperationException inner)
                {
                    report.Check(inner.Message == $"inner {me}/{i}", $"thread {me}: the nested catch got \"{inner.Message}\"");
                }
                throw;
            }
        }
        catch (Exception e)
        {
            report.Check(ReferenceEquals(e, expected), $"thread {me}: the rethrow after a nested dispatch reached the outer catch as {e.GetType().Name} \"{e.Message}\", expected \"{message}\"");
            report.Check(e.Message == message, $"thread {me}: message \"{e.Message}\", expected \"{message}\"");
        }
        report.Check(finallyRan, $"thread {me}: the finally of iteration {i} did not run");
        if (finallyRan)
            report.FinallyRuns++;

        var box = new Box(null);
        try
        {
            _ = LengthOf(box);
            report.Check(false, $"thread {me}: reading a null string's length did not fault");
        }
        catch (NullReferenceException)
        {
            report.FaultsCaught++;
        }
        report.Completed++;
    }

    private static void PreemptedThreadsEachCatchAndRethrowTheirOwnExceptions(TestContext t)
    {
        var reports = new ThrowerReport[ThrowingThreads];
        var threads = new Thread[ThrowingThreads];
        int start = 0, inside = 0;
        for (int n = 0; n < ThrowingThreads; n++)
        {
            int me = n;
            var report = reports[n] = new ThrowerReport();
            threads[n] = new Thread(() =>
            {
                while (Volatile.Read(ref start) == 0)
                    Thread.Yield();
                try
                {
                    for (int i = 0; i < ThrowIterations; i++)
                    {
                        if (Interlocked.Increment(ref inside) > 1)
                            report.Overlaps++;
                        ThrowCatchRethrowOnce(me, i, report);
                        Interlocked.Decrement(ref inside);
                    }
                }
                catch (Exception e)
                {
                    report.Check(false, $"thread {me}: {e.GetType().Name} \"{e.Message}\" escaped the loop");
                }
            }) { Name = $"thrower {me}" };
            threads[n].Start();
        }
        ulong preemptionsBefore = Scheduler.Preemptions;
        long started = Stopwatch.GetTimestamp();
        Volatile.Write(ref start, 1);
        for (int n = 0; n < ThrowingThreads; n++)
            t.True(threads[n].Join(120_000), $"thrower {n} ended");
        ulong preemptions = Scheduler.Preemptions - preemptionsBefore;
        int overlaps = 0;
        foreach (ThrowerReport report in reports)
            overlaps += report.Overlaps;
        KernelLog.Info($"thread exceptions: {ThrowingThreads} threads x {ThrowIterations} iterations (4 throws, 1 CPU fault each) " +
            $"in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms, {preemptions} preemptions, {overlaps} iterations begun while another was mid-way");
        // Without switches inside iterations the threads would take turns between whole dispatches and the test would show nothing.
        t.True(overlaps >= 20, $"{overlaps} iterations began while another thread was switched out inside one");
        for (int n = 0; n < ThrowingThreads; n++)
        {
            ThrowerReport report = reports[n];
            t.True(report.Mismatches == 0, $"thread {n}: {report.Mismatches} wrong exceptions, first: {report.FirstMismatch}");
            t.Equal(ThrowIterations, report.Completed);
            t.Equal(ThrowIterations, report.FinallyRuns);
            t.Equal(ThrowIterations, report.FaultsCaught);
        }
        t.Equal(0UL, ActiveExceptionOfThisThread());
    }

    private static ulong ActiveExceptionOfThisThread() => Runtime.Exceptions.KernelCode.ActiveExInfo;

    // --- GC handles ---------------------------------------------------------------------------------------

    private const int HandleThreads = 4;
    private const int HandleRounds = 1500;
    // Back-to-back GCHandle allocations per round: most of their time is in the table itself, where a switch at the
    // wrong instruction would hand two threads one entry.
    private const int TightHandlesPerRound = 64;
    private const int HandlesPerRound = 24;

    /// <summary>What a handle points to: its owner and serial, so a handle that reads another's target is seen.</summary>
    private sealed class HandleTarget
    {
        public readonly int Owner, Serial;

        public HandleTarget(int owner, int serial)
        {
            Owner = owner;
            Serial = serial;
        }
    }

    private sealed class HandleReport : ThreadReport
    {
        public int Allocated;
    }

    /// <summary>Counts the handles whose target is one of this test's <see cref="HandleTarget"/>s.</summary>
    private struct HandleTargetCounter : IRootVisitor
    {
        public ulong TargetType;
        public uint Found;

        public void Visit(ulong* slot, bool interior, bool pinned)
        {
            ulong target = *slot;
            if (target != 0 && *(ulong*)target == TargetType)
                Found++;
        }
    }

    private static uint HandlesToTestTargets()
    {
        var counter = new HandleTargetCounter { TargetType = (ulong)typeof(HandleTarget).TypeHandle.Value };
        ulong flags = InterruptFlag.SaveAndDisable();
        HandleTable.ScanStrong(ref counter);
        HandleTable.ScanKind(HandleKind.Weak, ref counter);
        HandleTable.ScanKind(HandleKind.WeakTrackResurrection, ref counter);
        HandleTable.ScanKind(HandleKind.Dependent, ref counter);
        InterruptFlag.Restore(flags);
        return counter.Found;
    }

    /// <summary>One round: allocates a batch of handles of every kind (GCHandle, WeakReference, DependentHandle),
    /// checks each reads back its own target, and frees them; then allocates, reads and frees GC handles back to back.</summary>
    private static void HandleRound(int me, int round, HandleTarget[] targets, GCHandle[] handles, WeakReference[] weakReferences, HandleReport report)
    {
        for (int k = 0; k < HandlesPerRound; k++)
        {
            targets[k] = new HandleTarget(me, round * HandlesPerRound + k);
            GCHandleType type = (k % 3) switch { 0 => GCHandleType.Normal, 1 => GCHandleType.Weak, _ => GCHandleType.Pinned };
            handles[k] = type == GCHandleType.Pinned ? GCHandle.Alloc(new byte[8], type) : GCHandle.Alloc(targets[k], type);
            weakReferences[k] = new WeakReference(targets[k]);
            report.Allocated += 2;
        }
        var dependent = new DependentHandle(targets[0], targets[HandlesPerRound - 1]);
        for (int k = 0; k < HandlesPerRound; k++)
        {
            if (k % 3 != 2)
                report.Check(ReferenceEquals(handles[k].Target, targets[k]), $"thread {me} round {round}: GC handle {k} reads {Describe(handles[k].Target)}");
            report.Check(ReferenceEquals(weakReferences[k].Target, targets[k]), $"thread {me} round {round}: weak reference {k} reads {Describe(weakReferences[k].Target)}");
        }
        report.Check(ReferenceEquals(dependent.Target, targets[0]) && ReferenceEquals(dependent.Dependent, targets[HandlesPerRound - 1]),
            $"thread {me} round {round}: the dependent handle reads {Describe(dependent.Target)} -> {Describe(dependent.Dependent)}");
        dependent.Dispose();
        for (int k = 0; k < HandlesPerRound; k++)
        {
            handles[k].Free();
            weakReferences[k] = null!;
        }
        for (int j = 0; j < TightHandlesPerRound; j++)
        {
            HandleTarget target = targets[j % HandlesPerRound];
            GCHandle handle = GCHandle.Alloc(target, GCHandleType.Normal);
            object? read = handle.Target;
            handle.Free();
            report.Allocated++;
            if (!ReferenceEquals(read, target))
                report.Check(false, $"thread {me} round {round}: a fresh GC handle read {Describe(read)}");
        }
    }

    private static string Describe(object? target) =>
        target is HandleTarget h ? $"thread {h.Owner}'s target {h.Serial}" : target == null ? "null" : target.GetType().Name;

    private static void HandlesAllocatedAndFreedOnManyThreadsStayConsistent(TestContext t)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        t.Equal(0u, HandlesToTestTargets());
        var reports = new HandleReport[HandleThreads];
        var workers = new Thread[HandleThreads];
        int start = 0, running = HandleThreads, collections = 0, inside = 0;
        for (int n = 0; n < HandleThreads; n++)
        {
            int me = n;
            var report = reports[n] = new HandleReport();
            workers[n] = new Thread(() =>
            {
                var targets = new HandleTarget[HandlesPerRound];
                var handles = new GCHandle[HandlesPerRound];
                var weakReferences = new WeakReference[HandlesPerRound];
                while (Volatile.Read(ref start) == 0)
                    Thread.Yield();
                for (int round = 0; round < HandleRounds; round++)
                {
                    if (Interlocked.Increment(ref inside) > 1)
                        report.Overlaps++;
                    HandleRound(me, round, targets, handles, weakReferences, report);
                    Interlocked.Decrement(ref inside);
                }
                Array.Clear(targets);
                Interlocked.Decrement(ref running);
            }) { Name = $"handles {me}" };
            workers[n].Start();
        }
        var collector = new Thread(() =>
        {
            while (Volatile.Read(ref running) != 0)
            {
                GC.Collect();
                collections++;
                Thread.Sleep(2);
            }
        }) { Name = "collector" };
        collector.Start();
        ulong preemptionsBefore = Scheduler.Preemptions;
        long started = Stopwatch.GetTimestamp();
        Volatile.Write(ref start, 1);
        for (int n = 0; n < HandleThreads; n++)
            t.True(workers[n].Join(120_000), $"handle thread {n} ended");
        t.True(collector.Join(10_000), "the collecting thread ended");
        ulong preemptions = Scheduler.Preemptions - preemptionsBefore;
        int overlaps = 0;
        foreach (HandleReport report in reports)
            overlaps += report.Overlaps;
        KernelLog.Info($"thread handles: {HandleThreads} threads x {HandleRounds} rounds x {HandlesPerRound * 2 + 1 + TightHandlesPerRound} handles " +
            $"in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms, {preemptions} preemptions, {overlaps} rounds begun while another was mid-way, {collections} collections");
        t.True(overlaps >= 20, $"{overlaps} rounds began while another thread was switched out inside one");
        t.True(collections >= 5, $"{collections} collections ran meanwhile");
        for (int n = 0; n < HandleThreads; n++)
        {
            HandleReport report = reports[n];
            t.True(report.Mismatches == 0, $"thread {n}: {report.Mismatches} handles read the wrong target, first: {report.FirstMismatch}");
            t.Equal(HandleRounds * (HandlesPerRound * 2 + TightHandlesPerRound), report.Allocated);
        }
        // The weak references' handles go back in their finalizers.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        t.Equal(0u, HandlesToTestTargets());
        t.True(HandleTable.CheckConsistency(out string problem), problem);
    }
}
