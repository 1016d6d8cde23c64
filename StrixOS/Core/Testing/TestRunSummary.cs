namespace StrixOS.Testing;

/// <summary>
/// What one kernel-side run of the suites came to. The kernel exits QEMU with success only when
/// <see cref="AllPassed"/>: no test failed and no registration was rejected (skipped tests are fine).
/// </summary>
public readonly struct TestRunSummary
{
    public int Selected { get; init; }
    public int Passed { get; init; }
    public int Failed { get; init; }
    public int Skipped { get; init; }
    public int Rejected { get; init; }
    public TestCommandLineError CommandLineError { get; init; }

    public bool AllPassed => Failed == 0 && Rejected == 0 && CommandLineError == TestCommandLineError.None;
}
