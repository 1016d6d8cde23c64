namespace StrixOS.Testing;

/// <summary>
/// Marks an exception that stands for the end of the kernel rather than a failure of one test:
/// the host's simulated kernel "faults", "panics" and "resets" by throwing such exceptions, and
/// <see cref="TestRunner"/> lets them pass instead of reporting them as an unhandled exception
/// of the running test.
/// </summary>
public interface IEndsTheKernel
{
}
