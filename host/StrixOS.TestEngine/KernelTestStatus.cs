namespace StrixOS.Tests.Runner;

public enum KernelTestStatus
{
    Passed,
    Failed,
    Skipped,
    /// <summary>Planned, but the run stopped before it (see the run's message).</summary>
    NotRun,
}
