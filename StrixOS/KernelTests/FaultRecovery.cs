using StrixOS.Plugs;
using StrixOS.Testing;

namespace StrixOS.KernelTests;

/// <summary>
/// Lets a test that expects a CPU fault survive it, so the whole suite runs in one boot: the body
/// runs after a saved context (setjmp), and the fault handler, seeing a test armed, reports the
/// fault and resumes that context (longjmp) instead of stopping the kernel. Only expected-fault
/// tests are armed; any other fault still ends the kernel with its report.
/// </summary>
public sealed unsafe class FaultRecovery : IFaultCatcher
{
    public static readonly FaultRecovery Instance = new();

    private static SavedContext s_context;
    private static bool s_armed;
    private static FaultInfo s_fault;

    private FaultRecovery() { }

    /// <summary>True while an expected-fault test body runs.</summary>
    public static bool IsArmed => s_armed;

    public bool TryRun(in TestCase test, TestContext context, out FaultInfo fault)
    {
        fault = default;
        if (!test.ExpectsFault)
        {
            test.Body(context);
            return true;
        }
        return RunArmed(test.Body, context, out fault);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static bool RunArmed(delegate*<TestContext, void> body, TestContext context, out FaultInfo fault)
    {
        fixed (SavedContext* saved = &s_context)
        {
            if (X64.SaveContext(saved) == 0)
            {
                s_armed = true;
                try
                {
                    body(context);
                }
                finally
                {
                    // An exception leaving the body (the runner fails the test) disarms too.
                    s_armed = false;
                }
                fault = default;
                return true;
            }
        }
        // Resumed by the fault handler: the body was cut short by a CPU fault.
        fault = s_fault;
        return false;
    }

    /// <summary>Called by the fault handler after its report; returns only when no test is armed.</summary>
    public static void ResumeAfter(in FaultInfo fault)
    {
        if (!s_armed)
            return;
        s_armed = false;
        s_fault = fault;
        fixed (SavedContext* saved = &s_context)
            X64.ResumeContext(saved);
    }
}
