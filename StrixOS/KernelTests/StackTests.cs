using System.Runtime.CompilerServices;
using StrixOS.Diagnostics;
using StrixOS.Testing;

namespace StrixOS.KernelTests;

/// <summary>The kernel stack: deep recursion of ordinary code, and the bounds CoreLib asks for.</summary>
public static unsafe class StackTests
{
    public static void Register(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("Stack");
        suite.Add(nameof(RecursionTenThousandDeep), &RecursionTenThousandDeep);
        suite.Add(nameof(RecursionHundredThousandDeep), &RecursionHundredThousandDeep);
        suite.Add(nameof(BoundsHoldTheCurrentFrame), &BoundsHoldTheCurrentFrame);
        suite.Add(nameof(SufficientExecutionStackRunsOutBeforeTheGuardPage), &SufficientExecutionStackRunsOutBeforeTheGuardPage);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long SumDown(int n) => n == 0 ? 0 : n + SumDown(n - 1);

    /// <summary>The lowest stack address a chain of <paramref name="n"/> small frames reaches.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong LowestFrame(int n)
    {
        ulong here = (ulong)&here;
        return n == 0 ? here : LowestFrame(n - 1) | (here & 0);
    }

    private static void RecursionTenThousandDeep(TestContext t) => t.Equal(50_005_000L, SumDown(10_000));

    private static void RecursionHundredThousandDeep(TestContext t)
    {
        t.Equal(5_000_050_000L, SumDown(100_000));
        ulong top = (ulong)&top;
        ulong used = top - LowestFrame(100_000);
        (ulong bottom, ulong stackTop) = Runtime.StackBounds.Current();
        KernelLog.Info($"stack: 100,000 small frames use {used / 1024} KiB ({used / 100_000} bytes each) of {(stackTop - bottom) / 1024} KiB");
        t.True(used < stackTop - bottom, "100,000 frames fit on the stack");
    }

    private static void BoundsHoldTheCurrentFrame(TestContext t)
    {
        (ulong bottom, ulong top) = Runtime.StackBounds.Current();
        ulong here = (ulong)&here;
        t.True(bottom < here && here < top, "the current frame lies inside the reported bounds");
        t.True(top - bottom >= 1024 * 1024, "the kernel stack is at least 1 MiB");
        t.Equal(Boot.Stage.BootLayout.Current->StackGuard + 4096, bottom);
    }

    // CoreLib's limit is the stack's bottom + 128 KiB: recursing until it says "insufficient"
    // must get there without touching the guard page, and deep enough to show the bounds are real.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int DepthUntilInsufficient(int depth)
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
            return depth;
        return DepthUntilInsufficient(depth + 1) + 0 * depth;
    }

    private static void SufficientExecutionStackRunsOutBeforeTheGuardPage(TestContext t)
    {
        t.True(RuntimeHelpers.TryEnsureSufficientExecutionStack(), "a shallow frame has enough stack");
        RuntimeHelpers.EnsureSufficientExecutionStack();
        int depth = DepthUntilInsufficient(0);
        t.True(depth > 10_000, $"insufficient only after {depth} frames");
    }
}
