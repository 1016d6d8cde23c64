using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using StrixOS.Runtime.Collector;
using StrixOS.Testing;
using StrixOS.Threading;

namespace StrixOS.KernelTests;

/// <summary>
/// Kernel threads, the scheduler, CoreLib's locks, the thread pool, timers and async/await (issue 16). Sizes are
/// the issue's where a run stays within seconds under emulation; the ones scaled down say so.
/// </summary>
public static unsafe class ThreadingTests
{
    public static void Register(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("Threads");
        suite.Add(nameof(ThreadStartsRunsAndJoins), &ThreadStartsRunsAndJoins);
        suite.Add(nameof(ThreadStaticsArePerThread), &ThreadStaticsArePerThread);
        suite.Add(nameof(SleepSleepsOnTheScheduler), &SleepSleepsOnTheScheduler);
        suite.Add(nameof(ABusyThreadIsPreempted), &ABusyThreadIsPreempted);
        suite.Add(nameof(ThousandThreadsCreatedAndJoined), &ThousandThreadsCreatedAndJoined);
        suite.Add(nameof(MonitorWaitPulseAndTimeouts), &MonitorWaitPulseAndTimeouts);
        suite.Add(nameof(LocksTakenInOneOrderNeverDeadlock), &LocksTakenInOneOrderNeverDeadlock);
        suite.Add(nameof(TaskRunAndAwait), &TaskRunAndAwait);
        suite.Add(nameof(TaskDelayHundredMillisecondsWithinFivePercent), &TaskDelayHundredMillisecondsWithinFivePercent);
        suite.Add(nameof(AsyncChainTenThousandDeep), &AsyncChainTenThousandDeep);
        suite.Add(nameof(ChannelPassesItemsInOrder), &ChannelPassesItemsInOrder);
        suite.Add(nameof(ParallelForEqualsSequential), &ParallelForEqualsSequential);
        suite.Add(nameof(TimersSemaphoresCancellationAndAsyncStreams), &TimersSemaphoresCancellationAndAsyncStreams);
        suite.Add(nameof(CollectionsUnderFiftyAllocatingThreadsVerify), &CollectionsUnderFiftyAllocatingThreadsVerify);
        suite.Add(nameof(CollectionsStopPreemptedThreadsAtSafePoints), &CollectionsStopPreemptedThreadsAtSafePoints);
        suite.Add(nameof(AnExceptionUnwindsOnItsOwnThread), &AnExceptionUnwindsOnItsOwnThread);
    }

    private static void ThreadStartsRunsAndJoins(TestContext t)
    {
        int ran = 0;
        int mainId = Environment.CurrentManagedThreadId;
        int threadId = 0;
        string? name = null;
        bool background = false;
        var thread = new Thread(() =>
        {
            threadId = Environment.CurrentManagedThreadId;
            name = Thread.CurrentThread.Name;
            background = Thread.CurrentThread.IsBackground;
            ran = 1;
        }) { Name = "worker", IsBackground = true, Priority = ThreadPriority.AboveNormal };
        thread.Start();
        t.True(thread.Join(5000), "joined within 5 s");
        t.Equal(1, ran);
        t.True(threadId != mainId && threadId != 0, $"thread id {threadId}, main {mainId}");
        t.Equal("worker", name);
        t.True(background, "IsBackground seen by the thread itself");
        t.False(thread.IsAlive);
        t.Equal((int)System.Threading.ThreadState.Stopped, (int)thread.ThreadState);
    }

    [ThreadStatic] private static int s_perThread;

    private static void ThreadStaticsArePerThread(TestContext t)
    {
        s_perThread = 7;
        var seen = new int[4];
        var threads = new Thread[4];
        for (int i = 0; i < threads.Length; i++)
        {
            int index = i;
            threads[i] = new Thread(() =>
            {
                int before = s_perThread;
                s_perThread = 100 + index;
                Thread.Sleep(5);                         // the others write theirs meanwhile
                seen[index] = before * 1000 + s_perThread;
            });
            threads[i].Start();
        }
        foreach (Thread thread in threads)
            thread.Join();
        for (int i = 0; i < seen.Length; i++)
            t.Equal(100 + i, seen[i]);                  // started at 0, kept its own value
        t.Equal(7, s_perThread);
    }

    private static void SleepSleepsOnTheScheduler(TestContext t)
    {
        var watch = Stopwatch.StartNew();
        Thread.Sleep(50);
        long elapsed = watch.ElapsedMilliseconds;
        t.True(elapsed >= 50 && elapsed < 500, $"slept {elapsed} ms");
    }

    private static void ABusyThreadIsPreempted(TestContext t)
    {
        // A thread that never blocks or yields: the boot thread still gets the CPU back through the timer.
        int stop = 0;
        long spins = 0;
        var spinner = new Thread(() =>
        {
            while (Volatile.Read(ref stop) == 0)
                spins++;
        });
        ulong preemptionsBefore = Scheduler.Preemptions;
        spinner.Start();
        Thread.Sleep(30);
        long seen = Volatile.Read(ref spins);
        Volatile.Write(ref stop, 1);
        t.True(spinner.Join(5000), "the spinner stopped");
        t.True(seen > 0, $"the spinner ran ({seen} spins while the boot thread slept)");
        t.True(Scheduler.Preemptions > preemptionsBefore, $"{Scheduler.Preemptions - preemptionsBefore} preemptions");
    }

    private static void ThousandThreadsCreatedAndJoined(TestContext t)
    {
        // 1,000 threads in batches of 50 alive at once (64 KiB stacks: the 32M guest has room for a batch).
        int ran = 0;
        int liveBefore = Scheduler.LiveThreads;
        ulong pagesBefore = ThreadStacks.PagesMapped;
        var batch = new Thread[50];
        for (int round = 0; round < 20; round++)
        {
            for (int i = 0; i < batch.Length; i++)
            {
                batch[i] = new Thread(() => Interlocked.Increment(ref ran), 64 * 1024);
                batch[i].Start();
            }
            foreach (Thread thread in batch)
                thread.Join();
        }
        t.Equal(1000, ran);
        Thread.Sleep(1);                                // the reaper frees the last stacks when the idle thread runs
        t.Equal(liveBefore, Scheduler.LiveThreads);
        t.True(ThreadStacks.PagesMapped <= pagesBefore + 16, $"{ThreadStacks.PagesMapped - pagesBefore} stack pages still mapped");
    }

    private static void MonitorWaitPulseAndTimeouts(TestContext t)
    {
        var gate = new object();
        int turn = 0;
        var other = new Thread(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                lock (gate)
                {
                    while (turn != 1)
                        Monitor.Wait(gate);
                    turn = 0;
                    Monitor.Pulse(gate);
                }
            }
        });
        other.Start();
        for (int i = 0; i < 100; i++)
        {
            lock (gate)
            {
                turn = 1;
                Monitor.Pulse(gate);
                while (turn != 0)
                    Monitor.Wait(gate);
            }
        }
        t.True(other.Join(5000), "ping-pong of 100 rounds finished");
        var watch = Stopwatch.StartNew();
        bool signalled;
        lock (gate)
            signalled = Monitor.Wait(gate, 30);
        t.False(signalled, "nobody pulsed");
        t.True(watch.ElapsedMilliseconds >= 30 && watch.ElapsedMilliseconds < 1000, $"Monitor.Wait(30) took {watch.ElapsedMilliseconds} ms");
        var manual = new ManualResetEvent(false);
        t.False(manual.WaitOne(20), "an unset event times out");
        ThreadPool.QueueUserWorkItem(_ => manual.Set());
        t.True(manual.WaitOne(5000), "the pool set the event");
    }

    private static void LocksTakenInOneOrderNeverDeadlock(TestContext t)
    {
        // Eight threads take two locks (always outer then inner) and the scheduler's own wait queues under them
        // (a Monitor.Wait with a timeout inside): no deadlock, no lost update.
        var outer = new object();
        var inner = new Lock();
        long total = 0;
        var threads = new Thread[8];
        for (int i = 0; i < threads.Length; i++)
        {
            threads[i] = new Thread(() =>
            {
                for (int n = 0; n < 200; n++)
                {
                    lock (outer)
                    {
                        using (inner.EnterScope())
                            total++;
                        if (n % 50 == 0)
                            Monitor.Wait(outer, 1);
                    }
                    if (n % 7 == 0)
                        Thread.Yield();
                }
            });
            threads[i].Start();
        }
        bool joined = true;
        foreach (Thread thread in threads)
            joined &= thread.Join(20_000);
        t.True(joined, "every thread finished");
        t.Equal(8L * 200, total);
    }

    private static void TaskRunAndAwait(TestContext t)
    {
        Task<int> task = AsyncWork.DelayThenAnswer(20);
        t.True(task.Wait(5000), "finished within 5 s");
        t.Equal(42, task.Result);
    }

    private static void TaskDelayHundredMillisecondsWithinFivePercent(TestContext t)
    {
        // Against the TSC clock (calibrated against the HPET or PIT). Under TCG the guest's clock runs on while
        // the host keeps QEMU off its cores, so a single delay can look late by whatever the host stole; the
        // fastest is the kernel's own latency (timer, timer thread, pool, wake-up). Five delays at least, and on
        // (up to twenty) while none was within 5%: a loaded host once stretched five in a row. Every delay is
        // compared with the host clock, run-queue delay taken off, by the host test of strix.delaytest
        // (ScreenTests.Every100MsTaskDelayMatchesTheHostClock).
        var measured = new List<long>();
        while (measured.Count < 5 || (measured.Min() > 105_000 && measured.Count < 20))
        {
            long start = Stopwatch.GetTimestamp();
            t.True(Task.Delay(100).Wait(5000), "Task.Delay(100) completed");
            measured.Add((long)Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
        long[] elapsed = measured.ToArray();
        Array.Sort(elapsed);
        string all = string.Join(", ", elapsed) + " us";
        // CoreLib's timers count in Environment.TickCount64's whole milliseconds (as on .NET), so a delay may end
        // up to 1 ms before 100 ms of the finer clock.
        t.True(elapsed[0] >= 99_000, $"never early by more than the tick: {all}");
        t.True(elapsed[0] <= 105_000, $"within 5%: {all}");
    }

    private static void AsyncChainTenThousandDeep(TestContext t)
    {
        // The synchronous descent (10,000 nested MoveNext calls) runs on the boot thread's 8 MiB stack, as it
        // would on .NET's main thread; the completions then unwind on pool threads, which CoreLib keeps
        // within their 512 KiB stacks (RhGetCurrentThreadStackBounds tells it where they end).
        Task<int> chain = AsyncWork.Chain(10_000);
        t.True(chain.Wait(30_000), "the chain completed");
        t.Equal(10_000, chain.Result);
    }

    private static void ChannelPassesItemsInOrder(TestContext t)
    {
        // The issue's 1M items on every machine (the bounded channel holds 1,024 ints, so the 32M guest needs no
        // more), through the loop that awaits only when the channel is full or empty; then the one-await-per-item
        // APIs (WriteAsync, ReadAllAsync in await foreach) on fewer items, as each costs about twice the time.
        const int Items = 1_000_000, ItemsOneAwaitEach = 20_000;
        var watch = Stopwatch.StartNew();
        Task<long> run = AsyncWork.ProduceAndConsume(Items);
        t.True(run.Wait(60_000), "producer and consumer finished");
        Diagnostics.KernelLog.Info($"threads: a bounded Channel<int> passed {Items} items in {watch.ElapsedMilliseconds} ms");
        t.Equal((long)Items * (Items - 1) / 2, run.Result);
        Task<long> oneAwaitEach = AsyncWork.WriteAsyncAndReadAllAsync(ItemsOneAwaitEach);
        t.True(oneAwaitEach.Wait(60_000), "WriteAsync and ReadAllAsync finished");
        t.Equal((long)ItemsOneAwaitEach * (ItemsOneAwaitEach - 1) / 2, oneAwaitEach.Result);
    }

    private static void ParallelForEqualsSequential(TestContext t)
    {
        const int N = 20_000;
        var parallel = new long[N];
        Parallel.For(0, N, i => parallel[i] = (long)i * i % 1009);
        long sequentialSum = 0, parallelSum = 0;
        bool same = true;
        for (int i = 0; i < N; i++)
        {
            long value = (long)i * i % 1009;
            sequentialSum += value;
            parallelSum += parallel[i];
            same &= parallel[i] == value;
        }
        t.True(same, "every element equals the sequential one");
        t.Equal(sequentialSum, parallelSum);
        long reduced = 0;
        Parallel.For(0, N, () => 0L, (i, _, local) => local + i, local => Interlocked.Add(ref reduced, local));
        t.Equal((long)N * (N - 1) / 2, reduced);
    }

    private static void TimersSemaphoresCancellationAndAsyncStreams(TestContext t)
    {
        Task<string> all = AsyncWork.TimersAndFriends();
        t.True(all.Wait(20_000), "finished");
        t.Equal("timer:3 periodic:3 semaphore:2 cancelled:True stream:0,1,2,3,4", all.Result);
    }

    private static void CollectionsUnderFiftyAllocatingThreadsVerify(TestContext t)
    {
        // 50 threads build and check their own lists while the heap fills; collections run among them and
        // strix.gcverify checks every reference after each one.
        bool was = Collector.Verify;
        Collector.Verify = true;
        int before = Collector.Count;
        int refusedBefore = Collector.Refused;
        ulong hijacksBefore = ThreadSuspension.Hijacks, reachedBefore = ThreadSuspension.HijacksReached, roundsBefore = ThreadSuspension.Rounds;
        int failures = 0;
        var threads = new Thread[50];
        for (int i = 0; i < threads.Length; i++)
        {
            int seed = i;
            threads[i] = new Thread(() =>
            {
                for (int round = 0; round < 10; round++)
                {
                    var list = new List<int[]>();
                    for (int n = 0; n < 200; n++)
                        list.Add(new int[] { seed, round, n });
                    for (int n = 0; n < 200; n++)
                    {
                        if (list[n][0] != seed || list[n][1] != round || list[n][2] != n)
                            Interlocked.Increment(ref failures);
                    }
                    _ = new byte[8192];
                }
            }, 64 * 1024);
            threads[i].Start();
        }
        foreach (Thread thread in threads)
            thread.Join();
        GC.Collect();
        HeapVerifyResult verify = Collector.LastVerify;
        Collector.Verify = was;
        Diagnostics.KernelLog.Info($"threads: {Collector.Count - before} collections under 50 threads ({Collector.Refused - refusedBefore} refused), " +
            $"{ThreadSuspension.Hijacks - hijacksBefore} hijacks, {ThreadSuspension.HijacksReached - reachedBefore} reached, " +
            $"{ThreadSuspension.Rounds - roundsBefore} rounds waiting for safepoints");
        t.Equal(0, failures);
        t.True(Collector.Count > before + 1, $"{Collector.Count - before} collections ran");
        t.Equal(0UL, verify.BadReferences);
        t.Equal(0UL, verify.BadObjects);
    }

    private static void CollectionsStopPreemptedThreadsAtSafePoints(TestContext t)
    {
        // Four threads compute without blocking, each holding its own list, so every collection finds them
        // preempted mid-method: each must be scanned from fully interruptible code or hijacked to a safepoint.
        bool was = Collector.Verify;
        Collector.Verify = true;
        int before = Collector.Count, refusedBefore = Collector.Refused;
        ulong stoppedBefore = ThreadSuspension.StoppedInInterruptibleCode + ThreadSuspension.HijacksReached;
        int stop = 0, bad = 0;
        long checks = 0;
        ulong hijacksBefore = ThreadSuspension.HijacksReached;
        var threads = new Thread[4];
        for (int i = 0; i < threads.Length; i++)
        {
            int seed = i + 1;
            // Even threads loop in a call-free (fully interruptible) method; odd ones in calls of methods
            // without loops (partially interruptible), where only a hijack reaches a safepoint.
            bool interruptible = i % 2 == 0;
            threads[i] = new Thread(() =>
            {
                AsyncWork.Node list = AsyncWork.BuildList(seed, 64);
                long expected = AsyncWork.Walk(list);
                while (Volatile.Read(ref stop) == 0)
                {
                    bool good = interruptible ? AsyncWork.CheckList(list, seed, 64) : AsyncWork.Walk(list) == expected;
                    if (!good)
                        Interlocked.Increment(ref bad);
                    Interlocked.Increment(ref checks);
                }
            }, 64 * 1024);
            threads[i].Start();
        }
        // Where a preemption lands is up to the timer: collect until six collections ran (a GC.Collect that met another
        // thread's collection waits for that one instead), and on (with varying sleeps, so the phase moves) until a
        // hijack has been needed and reached, for at most 200 requests. A refused collection fails the test below.
        ulong gaveUpBefore = ThreadSuspension.GaveUp;
        for (int n = 0; (Collector.Count < before + 6 || ThreadSuspension.HijacksReached == hijacksBefore) && n < 200; n++)
        {
            Thread.Sleep(5 + n % 11);
            _ = new byte[64];
            GC.Collect();
        }
        Volatile.Write(ref stop, 1);
        foreach (Thread thread in threads)
            thread.Join();
        HeapVerifyResult verify = Collector.LastVerify;
        Collector.Verify = was;
        ulong stopped = ThreadSuspension.StoppedInInterruptibleCode + ThreadSuspension.HijacksReached - stoppedBefore;
        Diagnostics.KernelLog.Info($"threads: {Collector.Count - before} collections beside 4 computing threads, {stopped} preempted threads stopped " +
            $"({ThreadSuspension.HijacksReached} hijacks reached, {ThreadSuspension.StoppedInInterruptibleCode} in interruptible code so far), {checks} list checks, " +
            $"{Collector.Refused - refusedBefore} refused ({ThreadSuspension.GaveUp - gaveUpBefore} gave up on a safepoint)");
        t.Equal(0, bad);
        t.True(checks > 0, "the threads ran");
        t.True(Collector.Count >= before + 6, $"{Collector.Count - before} collections");
        t.Equal(refusedBefore, Collector.Refused);
        t.True(stopped > 0, "some collection met a preempted thread and stopped it at a safepoint");
        t.True(ThreadSuspension.HijacksReached > hijacksBefore, "some thread was brought to a safepoint by a hijacked return");
        t.Equal(0UL, verify.BadReferences);
    }

    private static void AnExceptionUnwindsOnItsOwnThread(TestContext t)
    {
        string? caught = null;
        var thread = new Thread(() =>
        {
            try
            {
                AsyncWork.Throw(3);
            }
            catch (InvalidOperationException e)
            {
                caught = e.Message;
            }
        });
        thread.Start();
        t.True(thread.Join(5000), "joined");
        t.Equal("depth 0", caught);
        Task faulted = Task.Run(() => AsyncWork.Throw(2));
        try
        {
            faulted.Wait(5000);
            t.Fail("Wait did not throw");
        }
        catch (AggregateException e)
        {
            t.True(e.InnerException is InvalidOperationException, "the task's exception reaches the waiter");
        }
    }
}

/// <summary>Async bodies for <see cref="ThreadingTests"/> (await is not allowed in its unsafe context).</summary>
internal static class AsyncWork
{
    public static Task<int> DelayThenAnswer(int milliseconds) => Task.Run(async () =>
    {
        await Task.Delay(milliseconds);
        return 42;
    });

    public static async Task<int> Chain(int depth)
    {
        if (depth == 0)
        {
            await Task.Yield();
            return 0;
        }
        return await Chain(depth - 1) + 1;
    }

    /// <summary>Sums the items in the order they arrive, -1 at the first out of order.</summary>
    public static async Task<long> ProduceAndConsume(int items)
    {
        var channel = System.Threading.Channels.Channel.CreateBounded<int>(
            new System.Threading.Channels.BoundedChannelOptions(1024) { SingleReader = true, SingleWriter = true });
        Task producer = Task.Run(async () =>
        {
            var writer = channel.Writer;
            for (int i = 0; i < items; i++)
            {
                while (!writer.TryWrite(i))
                {
                    if (!await writer.WaitToWriteAsync())
                        return;
                }
            }
            writer.Complete();
        });
        var reader = channel.Reader;
        long sum = 0;
        int expected = 0;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out int item))
            {
                if (item != expected++)
                    return -1;
                sum += item;
            }
        }
        await producer;
        return sum;
    }

    public static async Task<long> WriteAsyncAndReadAllAsync(int items)
    {
        var channel = System.Threading.Channels.Channel.CreateBounded<int>(1024);
        Task producer = Task.Run(async () =>
        {
            for (int i = 0; i < items; i++)
                await channel.Writer.WriteAsync(i);
            channel.Writer.Complete();
        });
        long sum = 0;
        int expected = 0;
        await foreach (int item in channel.Reader.ReadAllAsync())
        {
            if (item != expected++)
                return -1;
            sum += item;
        }
        await producer;
        return sum;
    }

    public static async Task<string> TimersAndFriends()
    {
        int ticks = 0;
        var done = new TaskCompletionSource();
        using (var timer = new Timer(_ =>
        {
            if (Interlocked.Increment(ref ticks) == 3)
                done.TrySetResult();
        }, null, 10, 10))
        {
            await done.Task.WaitAsync(TimeSpan.FromSeconds(5));
        }
        int periodic = 0;
        using (var periodicTimer = new PeriodicTimer(TimeSpan.FromMilliseconds(5)))
        {
            while (periodic < 3 && await periodicTimer.WaitForNextTickAsync())
                periodic++;
        }
        var semaphore = new SemaphoreSlim(0);
        int acquired = 0;
        Task waiter = Task.Run(async () =>
        {
            await semaphore.WaitAsync();
            Interlocked.Increment(ref acquired);
            await semaphore.WaitAsync();
            Interlocked.Increment(ref acquired);
        });
        semaphore.Release();
        await Task.Delay(5);
        semaphore.Release();
        await waiter;
        bool cancelled = false;
        using (var source = new CancellationTokenSource())
        {
            source.CancelAfter(20);
            try
            {
                await Task.Delay(5000, source.Token);
            }
            catch (OperationCanceledException)
            {
                cancelled = true;
            }
        }
        var stream = new List<int>();
        await foreach (int item in Numbers(5))
            stream.Add(item);
        return $"timer:{Math.Min(ticks, 3)} periodic:{periodic} semaphore:{acquired} cancelled:{cancelled} stream:{string.Join(",", stream)}";
    }

    private static async IAsyncEnumerable<int> Numbers(int count)
    {
        for (int i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return i;
        }
    }

    public sealed class Node(int value, Node? next)
    {
        public readonly int Value = value;
        public readonly Node? Next = next;
    }

    public static Node BuildList(int seed, int length)
    {
        Node? head = null;
        for (int i = length - 1; i >= 0; i--)
            head = new Node(seed * 1000 + i, head);
        return head!;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public static bool CheckList(Node list, int seed, int length)
    {
        int i = 0;
        for (Node? node = list; node != null; node = node.Next, i++)
        {
            if (node.Value != seed * 1000 + i)
                return false;
        }
        return i == length;
    }

    /// <summary>A loop whose body is a call (partially interruptible), into a method without a loop (partially interruptible too).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public static long Walk(Node list)
    {
        long sum = 0;
        for (Node? node = list; node != null; node = node.Next)
            sum = Step(node, sum);
        return sum;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static long Step(Node node, long sum) => sum * 31 + node.Value + (node.Next == null ? 1 : 2);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public static void Throw(int depth)
    {
        if (depth == 0)
            throw new InvalidOperationException("depth 0");
        Throw(depth - 1);
    }
}
