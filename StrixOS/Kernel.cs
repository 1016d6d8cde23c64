using StrixOS.Boot;
using StrixOS.Boot.Stage;
using StrixOS.Cpu;
using StrixOS.Diagnostics;
using StrixOS.Drivers;

namespace StrixOS;

/// <summary>The kernel's entry: the boot stage calls Main once the runtime has started.</summary>
public static class Kernel
{
    public const string Version = "0.1.0";

    public static void Main()
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
        FailureHooks.Run(commandLine);

        KernelLog.Info("boot complete; shutting down");
        Machine.Shutdown(success: true);
    }
}
