using System;
using StrixOS.Boot;

namespace StrixOS.Diagnostics;

/// <summary>
/// Command-line switches that make the kernel fail on purpose, so boot tests can prove each
/// failure path ends in a clear report and a failing exit status: <c>strix.fail=throw</c>
/// (an unhandled exception), <c>strix.fail=stub</c> (a runtime entry point that is not implemented).
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
                throw new InvalidOperationException("strix.fail=throw asked for this exception");
            case "stub":
                Stubbed();
                break;
            default:
                Panic.Fail($"unknown strix.fail kind '{kind}' (throw, stub)");
                break;
        }
    }

    [System.Runtime.InteropServices.DllImport("*", EntryPoint = "RhpGetThreadAbortException"), System.Runtime.InteropServices.SuppressGCTransition]
    private static extern IntPtr Stubbed();
}
