using System;
using StrixOS.Boot;

namespace StrixOS.Diagnostics;

/// <summary>
/// Command-line switches that make the kernel fail on purpose, so boot tests can prove each
/// failure path ends in a clear report and a failing exit status: <c>strix.fail=throw</c>
/// (an unhandled exception), <c>strix.fail=stub</c> (a runtime entry point that is not implemented),
/// <c>strix.fail=null</c> (a write to address 0), <c>strix.fail=stack-overflow</c> (into the guard page) and
/// <c>strix.fail=handler-fault</c> (a fault whose report itself faults); <c>strix.fail=test-throw</c>
/// adds a test suite whose middle test throws an exception it does not catch (KernelTests/OnPurposeTests.cs);
/// <c>strix.fail=thread-throw</c> (an exception unhandled on a thread other than the boot thread, once the
/// scheduler runs: <see cref="RunAfterDevices"/>), <c>strix.fail=thread-stack-overflow</c> (a thread other than the
/// boot thread recursing into its guard page), <c>strix.fail=early-heap</c> (a request the early heap cannot serve).
/// </summary>
public static class FailureHooks
{
    public static void Run(CommandLine commandLine)
    {
        if (!commandLine.TryGetValue("strix.fail", out string kind))
            return;
        KernelLog.Warning($"strix.fail={kind}: failing on purpose");
        switch (kind)
        {
            case "throw":
                throw new InvalidOperationException("strix.fail=throw asked for this exception",
                    new FormatException("the inner exception of strix.fail=throw"));
            case "stub":
                Stubbed();
                break;
            case "null":
                WriteThrough(0);                        // a NullReferenceException, as in .NET
                break;
            case "unmapped":
                WriteThrough(0x0000_7000_0000_0000);    // not the null page: a CPU fault report
                break;
            case "stack-overflow":
                Recurse(0);
                break;
            case KernelTests.OnPurposeTests.FailKind:
            case ThreadThrowKind:
            case ThreadStackOverflowKind:
                break;                                  // the test run registers a suite that throws (OnPurposeTests)
            case "handler-fault":
                Cpu.ExceptionHandler.FaultWhileReporting = true;
                WriteThrough(0);
                break;
            case "early-heap":
                ExhaustEarlyHeap();
                break;
            default:
                Panic.Fail($"unknown strix.fail kind '{kind}' (throw, test-throw, thread-throw, thread-stack-overflow, stub, null, unmapped, stack-overflow, handler-fault)");
                break;
        }
    }

    private const string ThreadThrowKind = "thread-throw";
    private const string ThreadStackOverflowKind = "thread-stack-overflow";

    /// <summary>The failures that need threads: started after device start-up (the scheduler).</summary>
    public static void RunAfterDevices(CommandLine commandLine)
    {
        if (!commandLine.TryGetValue("strix.fail", out string kind) || (kind != ThreadThrowKind && kind != ThreadStackOverflowKind))
            return;
        var thread = kind == ThreadThrowKind
            ? new System.Threading.Thread(ThrowOnThread) { Name = "strix.fail" }
            : new System.Threading.Thread(() => Recurse(0), 64 * 1024) { Name = "strix.fail" };
        thread.Start();
        thread.Join();
        Panic.Fail($"strix.fail={kind}: the thread's failure did not end the kernel");
    }

    /// <summary>One request 8 bytes larger than what the early heap has left (it serves the kernel heap's nested
    /// allocations for as long as the kernel runs): the panic names the early heap and its size.</summary>
    private static unsafe void ExhaustEarlyHeap() => Runtime.KernelHeap.AllocateEarly(Runtime.KernelHeap.FreeBytes + 8);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void ThrowOnThread() =>
        throw new InvalidOperationException("strix.fail=thread-throw asked for this exception on another thread");

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static unsafe void WriteThrough(ulong address) => System.Threading.Volatile.Write(ref *(int*)address, 1);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static unsafe int Recurse(int depth)
    {
        byte* scratch = stackalloc byte[512];
        scratch[depth & 511] = (byte)depth;
        return Recurse(depth + 1) + scratch[0];
    }

    [System.Runtime.InteropServices.DllImport("*", EntryPoint = "RhpGetThreadAbortException"), System.Runtime.InteropServices.SuppressGCTransition]
    private static extern IntPtr Stubbed();
}
