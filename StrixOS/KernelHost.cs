using StrixOS.Boot;
using StrixOS.Boot.Stage;
using StrixOS.Cpu;
using StrixOS.Diagnostics;
using StrixOS.Drivers;
using StrixOS.KernelTests;
using StrixOS.Memory;
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
        var frames = new BootInfoFrameAllocator(boot.MemoryMap.Regions);
        KernelLog.Info($"kernel heap: {Runtime.KernelHeap.UsedBytes / 1024} KiB used, {Runtime.KernelHeap.FreeBytes / 1024} KiB free");

        kernel.BootInfo = boot;
        kernel.CommandLine = commandLine;
        kernel.PageTable = memory.Value;
        kernel.Frames = frames;

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
