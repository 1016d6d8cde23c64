using StrixOS.Testing;

namespace StrixOS.Drivers;

/// <summary>The in-kernel test protocol's sink in the kernel: one line on the serial console.</summary>
public sealed class SerialTestOutput : ITestOutput
{
    public static readonly SerialTestOutput Instance = new();

    private SerialTestOutput() { }

    public void WriteLine(string line) => SerialPort.Com1.WriteLine(line);
}
