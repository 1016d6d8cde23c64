using StrixOS.Drivers;
using StrixOS.Testing;

namespace StrixOS.KernelTests;

/// <summary>
/// The in-kernel test suites, run when the kernel is booted with <c>test</c> on its command line
/// (docs/testing.md). They run on the real hardware state of this boot: its page tables, frame
/// allocator and CPU. Order matters for one suite: FrameAllocator drains physical memory, so it
/// comes last.
/// </summary>
public static class KernelTestSuites
{
    /// <summary>The booted kernel, for tests that need its page tables and allocator.</summary>
    public static Kernel Kernel { get; private set; } = null!;

    public static TestRunSummary Run(Kernel kernel, in TestCommandLine commandLine)
    {
        Kernel = kernel;
        var registry = new TestRegistry();
        FrameworkSelfTests.Register(registry);
        RuntimeTests.Register(registry);
        BootTests.Register(registry);
        PagingTests.Register(registry);
        FaultTests.Register(registry);
        FrameAllocatorTests.Register(registry);
        return TestRunner.Run(registry, commandLine, SerialTestOutput.Instance, FaultRecovery.Instance);
    }
}
