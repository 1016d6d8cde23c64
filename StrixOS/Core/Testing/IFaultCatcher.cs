namespace StrixOS.Testing;

/// <summary>
/// Runs a test body so that a CPU fault inside it comes back here instead of ending the kernel
/// (the kernel implements it with a saved context; see StrixOS/KernelTests/FaultRecovery.cs).
/// With a catcher, expected-fault tests are judged in the same boot; without one, the host
/// runner judges them from the fault report and reboots past them.
/// </summary>
public interface IFaultCatcher
{
    /// <summary>False when a CPU fault cut the body short; <paramref name="fault"/> then describes it.</summary>
    bool TryRun(in TestCase test, TestContext context, out FaultInfo fault);
}
