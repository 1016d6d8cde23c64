using StrixOS.Boot;
using StrixOS.Boot.Stage;
using StrixOS.Cpu;
using StrixOS.Diagnostics;
using StrixOS.Drivers;
using StrixOS.KernelTests;
using StrixOS.Memory;
using StrixOS.Memory.Heap;
using StrixOS.Memory.PhysicalMemory;
using StrixOS.Plugs;
using StrixOS.Testing;

namespace StrixOS;

/// <summary>
/// The boot sequence every StrixOS image runs (the generated entry point calls <see cref="Boot"/>):
/// serial console, CPU descriptor tables, boot information and memory, then either the in-kernel
/// test suites (command line <c>test</c>) or the application kernel.
/// </summary>
public static class KernelHost
{
    public const string Version = "0.1.0";

    public static void Boot(Kernel kernel)
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
        BootReport.Print(boot);
        Protection.Enable();
        if (commandLine.Has("strix.memmap"))
            MemoryPictureReport.Print(boot);
        FailureHooks.Run(commandLine);

        Result<OffsetPageTable, InitError> memory = MemoryManager.Init(BootLayout.PhysicalMemoryOffset, HardwarePaging.Instance);
        if (memory.IsError)
            Panic.Fail(memory.Error == InitError.AlreadyInitialized
                ? "memory: MemoryManager.Init ran twice"
                : "memory: MemoryManager.Init refused PHYS_MEM_OFFSET (not aligned or not canonical)");
        OffsetPageTable pageTable = memory.Value;

        // Physical memory: the boot allocator's bump design only until the buddy allocator takes over.
        var bootFrames = new BootInfoFrameAllocator(boot.MemoryMap.Regions);
        Result<BuddyFrameAllocator, HandOverError> handOver =
            BuddyFrameAllocator.HandOver(bootFrames, boot.MemoryMap.Regions, BootLayout.PhysicalMemoryOffset);
        if (handOver.IsError)
            Panic.Fail($"memory: the frame allocator hand-over failed: {handOver.Error.Describe()}");
        BuddyFrameAllocator frames = handOver.Value;
        frames.OnRejectedFree = static (frame, error) =>
            Panic.Fail($"frame allocator: refused to free frame {Hex.Format(frame.StartAddress.Value)}: {error.Describe()}");

        // Address spaces share the kernel half; PCIDs keep TLB entries across switches where the CPU has them.
        bool pcid = CpuFeatures.Pcid;
        if (pcid)
            X64.WriteCr4(X64.ReadCr4() | (1UL << 17));
        Result<AddressSpaceManager, AddressSpaceError> spaces =
            AddressSpaceManager.Init(pageTable, frames, frames, HardwarePaging.Instance, pcid);
        if (spaces.IsError)
            Panic.Fail($"memory: address spaces: {spaces.Error.Describe()}");

        // From here on `new` takes memory from a heap mapped on demand through the page tables.
        Result<HeapAllocator, HeapError> heap = HeapAllocator.Create(KernelHeapLayout.Start, KernelHeapLayout.DefaultMaxBytes,
            new PageTableHeapBacking(pageTable, frames, frames));
        if (heap.IsError)
            Panic.Fail($"memory: kernel heap: {heap.Error.Describe()}");
        ulong earlyHeapUsed = Runtime.KernelHeap.UsedBytes;
        Runtime.KernelHeap.Use(heap.Value);
        KernelLog.Info($"memory: {frames.FreeFrames} of {frames.TotalFrames} frames free (buddy allocator, {frames.MetadataFrames} frames of bitmap); " +
                       $"PCID {(pcid ? "on" : "off")}; kernel heap at {Hex.Format(KernelHeapLayout.Start)} (boot used {earlyHeapUsed / 1024} KiB of the early heap)");

        MachineDevices.Start(boot, commandLine);

        kernel.BootInfo = boot;
        kernel.CommandLine = commandLine;
        kernel.PageTable = pageTable;
        kernel.Frames = frames;
        kernel.AddressSpaces = spaces.Value;
        kernel.Heap = heap.Value;

        if (commandLine.Has("strix.idle"))
        {
            // For inspecting the live machine (docs/memory.md: QEMU monitor `info tlb`, `info mem`).
            KernelLog.Info("strix.idle: boot complete, idling with interrupts off (inspect with the QEMU monitor)");
            X64.HaltForever();
        }

        TestCommandLine tests = TestCommandLine.Parse(commandLine.Text);
        if (tests.RunsTests || tests.Error != TestCommandLineError.None)
        {
            TestRunSummary summary = KernelTestSuites.Run(kernel, tests);
            Machine.Shutdown(summary.AllPassed);
        }
        kernel.RunBeforeRun();
        while (!kernel.StopRequested)
            kernel.RunOnce();
        KernelLog.Info(kernel.StopSucceeded ? "kernel stopped; shutting down" : "kernel stopped with failure");
        Machine.Shutdown(kernel.StopSucceeded);
    }
}
