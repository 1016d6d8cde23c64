namespace StrixOS.Testing;

/// <summary>
/// Where protocol lines go: the kernel writes them to the serial port, host tests to a
/// StringBuilder. The line carries no terminator; the sink ends it.
/// </summary>
public interface ITestOutput
{
    void WriteLine(string line);
}
