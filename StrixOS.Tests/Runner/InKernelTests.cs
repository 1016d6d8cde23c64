using Xunit.Abstractions;

namespace StrixOS.Tests.Runner;

/// <summary>
/// The StrixOS image's in-kernel tests as xunit tests, through the same glue a strixos-test project
/// gets from the StrixOS.TestEngine package (<see cref="KernelTestCases"/>): one row per machine and
/// kernel test, and one KernelRunEndsCleanly check per machine.
/// </summary>
public sealed class InKernelTests(ITestOutputHelper output) : KernelTestCases(output);
