using System;
using StrixOS.Testing;

namespace StrixOS.Tests.Runner;

/// <summary>
/// The kernel's test mode on the host: the real <see cref="TestRunner"/> writing to a
/// <see cref="StringBuilderOutput"/>, where a test "faults", "panics" or "resets" by throwing one
/// of the exceptions below. The result is what the serial port would carry and the QEMU exit status.
/// </summary>
public static class SimulatedKernel
{
    public sealed class Fault(FaultInfo info) : Exception("simulated CPU fault"), IEndsTheKernel
    {
        public FaultInfo Info { get; } = info;
    }

    public sealed class Panic(string reason) : Exception(reason), IEndsTheKernel;

    public sealed class Reset() : Exception("simulated triple fault"), IEndsTheKernel;

    public sealed record Boot(string Transcript, int ExitStatus);

    public static Boot Run(Action<TestRegistry> register, string commandLine, string banner = "StrixOS booting (simulated)")
    {
        var registry = new TestRegistry();
        register(registry);
        var output = new StringBuilderOutput();
        output.WriteLine(banner);
        try
        {
            TestRunSummary summary = TestRunner.Run(registry, TestCommandLine.Parse(commandLine), output);
            output.WriteLine("[info]  kernel stopped; shutting down");
            return new Boot(output.ToString(), summary.AllPassed ? BootExit.KernelSuccessStatus : BootExit.KernelFailureStatus);
        }
        catch (Fault fault)
        {
            output.WriteLine(TestProtocol.FormatFault(fault.Info));
            return new Boot(output.ToString(), BootExit.KernelFailureStatus);
        }
        catch (Panic panic)
        {
            output.WriteLine(TestProtocol.FormatPanic(panic.Message));
            return new Boot(output.ToString(), BootExit.KernelFailureStatus);
        }
        catch (Reset)
        {
            return new Boot(output.ToString(), BootExit.ResetStatus);
        }
    }
}
