using System;
using System.Threading;
using System.Threading.Tasks;
using StrixOS.Testing;

namespace StrixOS.KernelTests;

/// <summary>Kernel threads, the scheduler, CoreLib's locks, the thread pool, timers and async/await.</summary>
public static unsafe class ThreadingTests
{
    public static void Register(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("Threads");
        suite.Add(nameof(ThreadStartsRunsAndJoins), &ThreadStartsRunsAndJoins);
        suite.Add(nameof(SleepSleepsOnTheScheduler), &SleepSleepsOnTheScheduler);
        suite.Add(nameof(TaskRunAndAwait), &TaskRunAndAwait);
    }

    private static void ThreadStartsRunsAndJoins(TestContext t)
    {
        int ran = 0;
        int mainId = Environment.CurrentManagedThreadId;
        int threadId = 0;
        string? name = null;
        var thread = new Thread(() =>
        {
            threadId = Environment.CurrentManagedThreadId;
            name = Thread.CurrentThread.Name;
            ran = 1;
        }) { Name = "worker", IsBackground = true };
        thread.Start();
        t.True(thread.Join(5000), "joined within 5 s");
        t.Equal(1, ran);
        t.True(threadId != mainId && threadId != 0, $"thread id {threadId}, main {mainId}");
        t.Equal("worker", name);
        t.False(thread.IsAlive);
    }

    private static void SleepSleepsOnTheScheduler(TestContext t)
    {
        long start = Environment.TickCount64;
        Thread.Sleep(50);
        long elapsed = Environment.TickCount64 - start;
        t.True(elapsed >= 49 && elapsed < 500, $"slept {elapsed} ms");
    }

    private static void TaskRunAndAwait(TestContext t)
    {
        Task<int> task = AsyncWork.DelayThenAnswer(20);
        t.True(task.Wait(5000), "finished within 5 s");
        t.Equal(42, task.Result);
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
}
