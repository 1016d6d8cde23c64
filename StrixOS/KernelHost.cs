using StrixOS.Boot;
using StrixOS.Boot.Stage;
using StrixOS.Cpu;
using StrixOS.Diagnostics;
using StrixOS.Drivers;
using StrixOS.Memory;
using StrixOS.Memory.Heap;
using StrixOS.Memory.PhysicalMemory;
using StrixOS.Plugs;
using StrixOS.Testing;

namespace StrixOS;

/// <summary>Runs an image's in-kernel test suites against the booted kernel (docs/testing.md).</summary>
public delegate TestRunSummary KernelTestRun(Kernel kernel, in TestCommandLine commandLine);

/// <summary>
/// The boot sequence every StrixOS image runs (the generated entry point calls <see cref="Boot"/>):
/// serial console, CPU descriptor tables, boot information and memory, then either the in-kernel
/// test suites (command line <c>test</c>) or the application kernel.
/// </summary>
public static class KernelHost
{
    public const string Version = StrixOSVersion.Value;

    /// <summary>
    /// Boots the machine and runs <paramref name="kernel"/>, or <paramref name="runTests"/> when the
    /// command line asks for tests. The entry point Cosmos.targets generates passes StrixOS's own
    /// suites (KernelTests.KernelTestSuites.Run), so the boot sequence does not depend on them.
    /// </summary>
    public static void Boot(Kernel kernel, KernelTestRun runTests)
    {
        SerialPort.Com1.Initialize();
        Drivers.Screen.BootScreen.Attach();
        DescriptorTables.Load();
        // The host test runner passes its command line through QEMU fw_cfg; GRUB's comes with BootInfo.
        string? hostCommandLine = QemuFwCfg.ReadTextFile("opt/strix/cmdline");
        KernelLog.Raw($"StrixOS {Version}: a C# unikernel for x86-64 (NativeAOT, CoreLib {System.Environment.Version})");

        BootInfo boot = BootInfoReader.Read(new CommandLine(hostCommandLine ?? ""));
        SymbolTable.Load(boot);
        CommandLine commandLine = CommandLine.Join(boot.CommandLine, hostCommandLine);
        Runtime.KernelEnvironment.Use(commandLine);
        BootReport.Print(boot);
        Protection.Enable();
        if (commandLine.Has("strix.memmap"))
            MemoryPictureReport.Print(boot);
        FailureHooks.Run(commandLine);

        // Memory has one owner: page tables, frames (the boot allocator, then the buddy allocator),
        // address spaces and the heap. PCIDs keep TLB entries across address-space switches where the CPU has them.
        bool pcid = Pcid.TryEnable();
        Result<MemorySystem, MemorySystemError> started =
            MemorySystem.Start(boot.MemoryMap, BootLayout.PhysicalMemoryOffset, HardwarePaging.Instance, pcid);
        if (started.IsError)
            Panic.Fail($"memory: {started.Error.Describe()}");
        MemorySystem memory = started.Value;
        BuddyFrameAllocator frames = memory.Frames;
        frames.OnRejectedFree = static (frame, error) =>
            Panic.Fail($"frame allocator: refused to free frame {Hex.Format(frame.StartAddress.Value)}: {error.Describe()}");

        // From here on `new` takes memory from a heap mapped on demand through the page tables.
        ulong earlyHeapUsed = Runtime.KernelHeap.UsedBytes;
        Runtime.KernelHeap.Use(memory.Heap);
        KernelLog.Info($"memory: {frames.FreeFrames} of {frames.TotalFrames} frames free (buddy allocator, {frames.MetadataFrames} frames of bitmap); " +
                       $"PCID {(pcid ? "on" : "off")}; kernel heap at {Hex.Format(KernelHeapLayout.Start)} (boot used {earlyHeapUsed / 1024} KiB of the early heap)");

        MachineDevices.Start(boot, commandLine);

        kernel.BootInfo = boot;
        kernel.CommandLine = commandLine;
        kernel.PageTable = memory.PageTable;
        kernel.Frames = frames;
        kernel.AddressSpaces = memory.AddressSpaces;
        kernel.Heap = memory.Heap;

        if (commandLine.Has("strix.idle"))
        {
            // For inspecting the live machine (docs/memory.md: QEMU monitor `info tlb`, `info mem`).
            KernelLog.Info("strix.idle: boot complete, idling with interrupts off (inspect with the QEMU monitor)");
            X64.HaltForever();
        }

        if (commandLine.TryGetValue("bench", out string benchmark) && benchmark == "exceptions")
        {
            foreach (string line in Benchmarks.ThrowCatchBenchmark.Run())
                KernelLog.Info(line);
            Machine.Shutdown(success: true);
        }

        TestCommandLine tests = TestCommandLine.Parse(commandLine.Text);
        if (tests.RunsTests || tests.Error != TestCommandLineError.None)
        {
            TestRunSummary summary = runTests(kernel, tests);
            Machine.Shutdown(summary.AllPassed);
        }
        kernel.RunBeforeRun();
        while (!kernel.StopRequested)
            kernel.RunOnce();
        KernelLog.Info(kernel.StopSucceeded ? "kernel stopped; shutting down" : "kernel stopped with failure");
        Machine.Shutdown(kernel.StopSucceeded);
    }
}
