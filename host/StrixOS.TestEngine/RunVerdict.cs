namespace StrixOS.Tests.Runner;

/// <summary>
/// The overall answer of a kernel test run, ordered by severity: when several things went wrong
/// (over several boots), the run reports the most severe.
/// </summary>
public enum RunVerdict
{
    AllPassed,
    SomeFailed,
    TruncatedOrGarbled,
    KernelPanic,
    CpuFault,
    TripleFaultOrReset,
    Hang,
    QemuFailedToStart,
    ImageMissing,
    QemuMissing,
}
