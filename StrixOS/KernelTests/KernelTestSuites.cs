using StrixOS.Drivers;
using StrixOS.Testing;

namespace StrixOS.KernelTests;

/// <summary>
/// The in-kernel test suites, run when the kernel is booted with <c>test</c> on its command line
/// (docs/testing.md). They run on the real hardware state of this boot: its page tables, frame
/// allocator and CPU. FrameAllocator exhausts physical memory (and gives it back), so it comes last.
/// </summary>
public static class KernelTestSuites
{
    /// <summary>The booted kernel, for tests that need its page tables and allocator.</summary>
    public static Kernel Kernel { get; private set; } = null!;

    /// <summary>
    /// Gives the kernel heap room before a test counts free frames exactly: a heap that grows in the
    /// middle of such a test (a first-use static constructor, a message string) takes frames from the
    /// same allocator, and must not while memory is exhausted.
    /// </summary>
    public static unsafe void MakeHeapRoom(ulong bytes = 1UL << 20)
    {
        byte* room = Runtime.KernelHeap.Allocate(bytes);
        Runtime.KernelHeap.Free(room);
    }

    /// <summary>
    /// Grows the object heap by about <paramref name="bytes"/> of small objects, then collects them: the heap's
    /// page tables exist afterwards, so later object allocations take only data frames (which the heap
    /// backing's FramesMapped counts).
    /// </summary>
    public static void MakeObjectHeapRoom(ulong bytes = 1UL << 20)
    {
        AllocateSmallGarbage(bytes);
        System.GC.Collect();
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void AllocateSmallGarbage(ulong bytes)
    {
        var keep = new object[bytes / 64 / 64 + 1];
        for (ulong i = 0; i < bytes / 64; i++)
        {
            object o = new long[5];
            if (i % 64 == 0)
                keep[i / 64] = o;
        }
        System.GC.KeepAlive(keep);
    }

    /// <summary>
    /// Runs the suites <paramref name="register"/> adds: a kernel project's own [KernelTest]s (the entry
    /// point Cosmos.targets generates passes the project's generated StrixOS.Generated.ProjectKernelTests).
    /// </summary>
    public static TestRunSummary RunProject(Kernel kernel, in TestCommandLine commandLine, System.Action<TestRegistry> register)
    {
        Kernel = kernel;
        var registry = new TestRegistry();
        register(registry);
        return TestRunner.Run(registry, commandLine, SerialTestOutput.Instance, FaultRecovery.Instance);
    }

    /// <summary>StrixOS's own suites, the test run of the StrixOS image.</summary>
    public static TestRunSummary Run(Kernel kernel, in TestCommandLine commandLine)
    {
        Kernel = kernel;
        var registry = new TestRegistry();
        FrameworkSelfTests.Register(registry);
        RuntimeTests.Register(registry);
        ExceptionTests.Register(registry);
        StackTests.Register(registry);
        PlatformTests.Register(registry);
        FileTests.Register(registry);
        FileWriteTests.Register(registry);
        MathTests.Register(registry);
        GenericsTests.Register(registry);
        TypeNameTests.Register(registry);
        LanguageTests.Register(registry);
        BootTests.RegisterKernelTests(registry);
        PagingTests.RegisterKernelTests(registry);
        MachineTests.Register(registry);
        GcRootTests.Register(registry);
        GcLayoutTests.Register(registry);
        GcMarkTests.Register(registry);
        GcCollectionTests.Register(registry);
        ThreadingTests.Register(registry);
        SchedulingTests.Register(registry);
        ThreadExceptionTests.Register(registry);
        FaultTests.Register(registry);
        AddressSpaceTests.Register(registry);
        FrameAllocatorTests.Register(registry);
        if (kernel.CommandLine.TryGetValue("strix.fail", out string failKind) && failKind == OnPurposeTests.FailKind)
            OnPurposeTests.Register(registry);
        return TestRunner.Run(registry, commandLine, SerialTestOutput.Instance, FaultRecovery.Instance);
    }
}
