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
using StrixOS.Text;

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
    public const string Version = KernelVersion.Full;

    /// <summary>
    /// Boots the machine and runs <paramref name="kernel"/>, or <paramref name="runTests"/> when the
    /// command line asks for tests. The entry point Cosmos.targets generates passes StrixOS's own
    /// suites (KernelTests.KernelTestSuites.Run), so the boot sequence does not depend on them; it passes
    /// null in an image built without them (<see cref="KernelFeatures.KernelTests"/> off).
    /// </summary>
    public static void Boot(Kernel kernel, KernelTestRun? runTests)
    {
        // The TSC's rate is measured over the start-up itself, so the clock's first read need not wait for it.
        Timestamp.StartMeasuring();
        SerialPort.Com1.Initialize();
        Drivers.Screen.BootScreen.Attach();
        DescriptorTables.Load();
        BootTrace.Mark("serial, screen, CPU tables");
        // A second reading of the TSC's measuring window: the clock's first read then checks the rate without a wait.
        Timestamp.NoteStartUpProgress();
        // The host test runner passes its command line through QEMU fw_cfg; GRUB's comes with BootInfo.
        string? hostCommandLine = QemuFwCfg.ReadTextFile("opt/strix/cmdline");
        PrintBanner();
        BootTrace.Mark("QEMU command line (fw_cfg), banner");

        BootInfo boot = BootInfoReader.Read(new CommandLine(hostCommandLine ?? ""));
        BootTrace.Mark("boot information: parse, memory map");
        SymbolTable.Load(boot);
        SourceLineTable.Load(boot);
        BootTrace.Mark("symbol table, line table");
        CommandLine commandLine = CommandLine.Join(boot.CommandLine, hostCommandLine);
        Runtime.KernelEnvironment.Use(commandLine);
        BootReport.PrintMemory(boot);
        if (commandLine.TryGetValue("strix.hold", out string hold) && hold == "memory-report")
        {
            // For the screen tests: the banner and the memory report stay on the screen (read while halted).
            SerialPort.Com1.WriteLine("strix.hold=memory-report: halted with the memory report on the screen");
            X64.HaltForever();
        }
        BootReport.PrintPaging();
        Protection.Enable();
        if (commandLine.Has("strix.memmap"))
            MemoryPictureReport.Print(boot);
        FailureHooks.Run(commandLine);
        // The clock's first read, which measures the TSC over the PIT's 55 ms start-up window: here, before the
        // memory start-up, whose first writes to host memory can take tens of ms in a slow boot and close the
        // window (then the first read would wait for a measurement of its own). CoreLib's formatting did this read
        // implicitly before the boot's lines stopped using it (docs/benchmarks.md, "Code run once at start-up").
        _ = Timestamp.TicksPerSecond;
        BootTrace.Mark("boot report, CPU protection");

        // Memory has one owner: page tables, frames (the boot allocator, then the buddy allocator),
        // address spaces and the heap. PCIDs keep TLB entries across address-space switches where the CPU has them.
        bool pcid = Pcid.TryEnable();
        BootTrace.Mark("PCID");
        Result<MemorySystem, MemorySystemError> started =
            MemorySystem.Start(boot.MemoryMap, BootLayout.PhysicalMemoryOffset, HardwarePaging.Instance, pcid,
                stepDone: BootTrace.Mark);
        if (started.IsError)
            Panic.Fail($"memory: {started.Error.Describe()}");
        MemorySystem memory = started.Value;
        BootTrace.Mark("memory: heap");
        BuddyFrameAllocator frames = memory.Frames;
        frames.OnRejectedFree = static (frame, error) =>
            Panic.Fail($"frame allocator: refused to free frame {Hex.Format(frame.StartAddress.Value)}: {error.Describe()}");
        // GRUB's data under UEFI holds nothing the kernel reads (the expander copied the boot information and expanded
        // the modules), and it includes the image GRUB loaded: the expander's spent frames and code, right above the
        // kernel's range. Freed before the start-up takes its frames, so they come from there, inside the 2 MiB region
        // GRUB already wrote, and not from a fresh one above (docs/benchmarks.md, issue 17.4).
        ulong reclaimedEarly = boot.EfiBootServicesActive ? 0 : frames.Reclaim(MemoryRegionType.BootloaderReclaimable);

        // From here on `new` takes memory from a heap mapped on demand through the page tables.
        ulong earlyHeapUsed = Runtime.KernelHeap.UsedBytes;
        Runtime.KernelHeap.Use(memory.Heap);
        Runtime.Collector.Collector.PhysicalMemoryBytes = frames.TotalFrames * 4096;
        PrintMemorySystem(memory, pcid, earlyHeapUsed);
        BootTrace.Mark("heap switch, memory report");

        Drivers.Screen.BootScreen.MapFramebuffer(memory.PageTable, frames);
        Threading.ThreadStacks.Start(memory.PageTable, frames);
        MachineDevices.Start(boot, commandLine);
        FailureHooks.RunAfterDevices(commandLine);
        // The files are modules, read in place for ever (Module pages are never reclaimed); mounted after the
        // boot report so the banner and the memory report stay together on a small screen.
        Runtime.ModuleFileSystem.Mount(boot);
        ReclaimBootMemory(boot, frames, reclaimedEarly);
        BootTrace.Mark("reclaim boot memory");
        if (commandLine.Has(BootTrace.Option))
            BootTrace.Print();

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

        if (KernelFeatures.KernelTests)
            RunBenchmark(commandLine, frames);

        TestCommandLine tests = TestCommandLine.Parse(commandLine.Text);
        if (tests.RunsTests || tests.Error != TestCommandLineError.None)
        {
            if (runTests is null)
                Panic.Fail("this image carries no in-kernel tests (built with StrixKernelTests=false): boot the test image, bin/<Configuration>/strix.iso");
            TestRunSummary summary = runTests(kernel, tests);
            if (commandLine.Has("strix.gcverify"))
                KernelLog.Info($"gcverify: {Runtime.Collector.Collector.Verified} collections verified, {Runtime.Collector.Collector.VerifiedObjects} objects and {Runtime.Collector.Collector.VerifiedReferences} references checked, none bad");
            PrintEarlyHeapUse();
            Machine.Shutdown(summary.AllPassed);
        }
        kernel.RunBeforeRun();
        while (!kernel.StopRequested)
            kernel.RunOnce();
        PrintEarlyHeapUse();
        KernelLog.Info(kernel.StopSucceeded ? "kernel stopped; shutting down" : "kernel stopped with failure");
        Machine.Shutdown(kernel.StopSucceeded);
    }

    /// <summary>The in-kernel benchmarks (command line <c>bench=exceptions|gc|threads|memory</c>): print, then shut down.</summary>
    private static void RunBenchmark(CommandLine commandLine, BuddyFrameAllocator frames)
    {
        if (commandLine.TryGetValue("bench", out string benchmark) && benchmark == "exceptions")
        {
            foreach (string line in Benchmarks.ThrowCatchBenchmark.Run())
                KernelLog.Info(line);
            foreach (string line in Benchmarks.ThrowCatchProfile.Run())
                KernelLog.Info(line);
            Machine.Shutdown(success: true);
        }
        if (benchmark == "gc")
        {
            foreach (string line in Benchmarks.GcBenchmark.Run())
                KernelLog.Info(line);
            KernelLog.Info(Runtime.Collector.CollectionProfile.Line());
            Machine.Shutdown(success: true);
        }
        if (benchmark == "threads")
        {
            foreach (string line in Benchmarks.ThreadingBenchmark.Run())
                KernelLog.Info(line);
            Machine.Shutdown(success: true);
        }
        if (benchmark == "memory")
        {
            foreach (string line in Benchmarks.MapperBenchmark.Run(BootLayout.PhysicalMemoryOffset, HardwarePaging.Instance, frames))
                KernelLog.Info(line);
            Machine.Shutdown(success: true);
        }
    }

    /// <summary>
    /// Frees what the boot loader left: the kernel has copied what it needs from the multiboot information
    /// (BootInfo, the RSDP, the screen's framebuffer tag) and ACPI is parsed, so the information structure
    /// and the ACPI-reclaimable tables become free frames (GRUB's own data under UEFI already did, before the
    /// start-up's frames: <paramref name="reclaimedEarly"/>). Modules stay: the
    /// symbol table reads its module for as long as the kernel runs. The line printed here is what the
    /// host's reclaim test checks (docs/memory.md).
    /// </summary>
    private static void ReclaimBootMemory(BootInfo boot, BuddyFrameAllocator frames, ulong reclaimedEarly)
    {
        ulong reclaimed = reclaimedEarly + frames.Reclaim(MemoryRegionType.BootInformation) + frames.Reclaim(MemoryRegionType.AcpiReclaimable);
        // Boot-services memory still in use (tag 18) is never the kernel's to free.
        if (!boot.EfiBootServicesActive)
            reclaimed += frames.Reclaim(MemoryRegionType.BootloaderReclaimable);
        ulong kernelOwned = 0;
        foreach (MemoryRegion region in boot.MemoryMap.Regions)
        {
            if (region.Type is MemoryRegionType.Kernel or MemoryRegionType.BootPageTables or MemoryRegionType.Module or MemoryRegionType.InUse)
                kernelOwned += region.Size;
        }
        var line = new LineBuilder(stackalloc char[LineBuilder.LineLength]);
        line.Append("memory: reclaimed ");
        line.Decimal(reclaimed * 4);
        line.Append(" KiB of boot memory; frame allocator ");
        line.Decimal((frames.TotalFrames - frames.HeldFrames) * 4);
        line.Append(" KiB, held ");
        line.Decimal(frames.HeldFrames * 4);
        line.Append(" KiB, kernel image, boot tables and modules ");
        line.Decimal(kernelOwned / 1024);
        line.Append(" KiB");
        KernelLog.Info(line.Written);
    }

    // The boot's lines are built with LineBuilder, not string interpolation: CoreLib's general formatting is
    // code a boot would translate once (docs/benchmarks.md, "Code run once at start-up").
    private static void PrintBanner()
    {
        var line = new LineBuilder(stackalloc char[LineBuilder.LineLength]);
        line.Append("StrixOS " + Version + ": a C# unikernel for x86-64 (NativeAOT, CoreLib ");
        // As Version.ToString(): major.minor, then build and revision where they are set.
        System.Version coreLib = System.Environment.Version;
        line.Decimal(coreLib.Major);
        line.Append('.');
        line.Decimal(coreLib.Minor);
        if (coreLib.Build >= 0)
        {
            line.Append('.');
            line.Decimal(coreLib.Build);
            if (coreLib.Revision >= 0)
            {
                line.Append('.');
                line.Decimal(coreLib.Revision);
            }
        }
        line.Append(')');
        KernelLog.Raw(line.Written);
    }

    /// <summary>The early heap's use at the end of a run: it also serves the allocations nested in the kernel heap's own
    /// work for as long as the kernel runs (KernelHeap), and its size is EARLY_HEAP_SIZE (boot.asm; the boot tests check
    /// the margin).</summary>
    private static void PrintEarlyHeapUse()
    {
        var line = new LineBuilder(stackalloc char[LineBuilder.LineLength]);
        line.Append("early heap: ");
        line.Decimal(Runtime.KernelHeap.EarlyHeapUsedBytes);
        line.Append(" of ");
        line.Decimal(Runtime.KernelHeap.EarlyHeapBytes);
        line.Append(" bytes used at the end of the run");
        KernelLog.Info(line.Written);
    }

    private static void PrintMemorySystem(MemorySystem memory, bool pcid, ulong earlyHeapUsed)
    {
        BuddyFrameAllocator frames = memory.Frames;
        var line = new LineBuilder(stackalloc char[LineBuilder.LineLength]);
        line.Append("memory: ");
        line.Decimal(frames.FreeFrames);
        line.Append(" of ");
        line.Decimal(frames.TotalFrames);
        line.Append(" frames free (buddy allocator, ");
        line.Decimal(frames.MetadataFrames);
        line.Append(" frames of bitmap, ");
        line.Decimal(memory.BootAllocatorFrames);
        line.Append(" frames from the boot allocator before the hand-over); PCID ");
        line.Append(pcid ? "on" : "off");
        line.Append("; kernel heap at ");
        line.Hex16(KernelHeapLayout.Start);
        line.Append(" (boot used ");
        line.Decimal(earlyHeapUsed / 1024);
        line.Append(" KiB of the early heap)");
        KernelLog.Info(line.Written);
    }
}
