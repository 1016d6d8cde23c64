namespace StrixOS.Testing;

/// <summary>How one in-kernel test ended, as the kernel saw it.</summary>
public enum TestOutcome
{
    Passed,
    Failed,
    Skipped,
}
