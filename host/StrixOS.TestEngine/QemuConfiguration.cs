using System;
using System.Collections.Generic;

namespace StrixOS.Tests.Runner;

/// <summary>
/// One machine to boot the kernel on: a point in the test matrix (memory, CPU model, firmware,
/// boot medium) plus how to run QEMU. <see cref="Arguments"/> turns it into QEMU's command line:
/// the one place that line is built, for the test engine, the tests, the benchmarks and the strix
/// script (through <c>StrixOS.Tools qemu-args</c>).
/// </summary>
public sealed record QemuConfiguration
{
    public const string DefaultQemu = "qemu-system-x86_64";
    public const string DefaultOvmf = "/usr/share/ovmf/OVMF.fd";

    /// <summary>The QEMU executable: a name looked up on PATH, or a path.</summary>
    public string QemuPath { get; init; } = DefaultQemu;

    /// <summary>Guest RAM as QEMU writes it: "32M", "128M", "1G", "4G", "8G".</summary>
    public string Memory { get; init; } = "128M";

    /// <summary>QEMU's -cpu model: "qemu64" (baseline), "max" (every feature TCG emulates).</summary>
    public string CpuModel { get; init; } = "qemu64";

    public Firmware Firmware { get; init; } = Firmware.SeaBios;

    /// <summary>The UEFI firmware image for <see cref="Firmware.Ovmf"/> (default: <see cref="DefaultOvmf"/>).</summary>
    public string? FirmwarePath { get; init; }

    public BootMedium BootMedium { get; init; } = BootMedium.Cdrom;

    /// <summary>For <see cref="BootMedium.Pxe"/>: the TFTP root and the boot file inside it.</summary>
    public string? PxeTftpRoot { get; init; }
    public string? PxeBootFile { get; init; }

    /// <summary>How long one boot may take before it counts as a hang and QEMU is killed.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How many times a run reboots after a crash no test expected before it gives up on the remaining tests.</summary>
    public int MaxCrashRestarts { get; init; } = 3;

    /// <summary>Where the serial console goes: "stdio" (what the engine reads), "file:PATH", "null".</summary>
    public string Serial { get; init; } = "stdio";

    /// <summary>QEMU's monitor: "none", or e.g. "unix:PATH,server,nowait" for a test that asks it questions.</summary>
    public string Monitor { get; init; } = "none";

    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>A name fit for a file name and a test row: "128M-qemu64", "4G-max-uefi-disk".</summary>
    public string Name
    {
        get
        {
            string name = $"{Memory}-{CpuModel}";
            if (Firmware == Firmware.Ovmf)
                name += "-uefi";
            if (BootMedium == BootMedium.Disk)
                name += "-disk";
            else if (BootMedium == BootMedium.Pxe)
                name += "-pxe";
            return name;
        }
    }

    public override string ToString() => Name;

    /// <summary>QEMU's arguments to boot <paramref name="imagePath"/> with the kernel command line <paramref name="commandLine"/>.</summary>
    public IReadOnlyList<string> Arguments(string imagePath, string commandLine)
    {
        var arguments = new List<string>
        {
            "-m", Memory,
            "-cpu", CpuModel,
            "-display", "none",
            "-vga", "none",
            "-serial", Serial,
            "-monitor", Monitor,
            "-parallel", "none",
            "-no-reboot",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
        };
        if (commandLine.Length > 0)
            arguments.AddRange(["-fw_cfg", $"name=opt/strix/cmdline,string={QemuOptionValue(commandLine)}"]);
        if (Firmware == Firmware.Ovmf)
            arguments.AddRange(["-bios", FirmwarePath ?? DefaultOvmf]);
        switch (BootMedium)
        {
            case BootMedium.Cdrom:
                arguments.AddRange(["-drive", $"file={QemuOptionValue(imagePath)},format=raw,media=cdrom,readonly=on"]);
                break;
            case BootMedium.Disk:
                arguments.AddRange(["-drive", $"file={QemuOptionValue(imagePath)},format=raw,if=ide,snapshot=on"]);
                break;
            case BootMedium.Pxe:
                arguments.AddRange([
                    "-netdev", $"user,id=net0,tftp={QemuOptionValue(PxeTftpRoot ?? "")},bootfile={QemuOptionValue(PxeBootFile ?? "")}",
                    "-device", "e1000,netdev=net0",
                    "-boot", "n",
                ]);
                break;
        }
        arguments.AddRange(ExtraArguments);
        return arguments;
    }

    /// <summary>What keeps this configuration from booting at all (null when nothing does).</summary>
    public string? ConfigurationProblem() =>
        BootMedium == BootMedium.Pxe && (string.IsNullOrEmpty(PxeTftpRoot) || string.IsNullOrEmpty(PxeBootFile))
            ? "a PXE configuration needs PxeTftpRoot and PxeBootFile"
            : null;

    /// <summary>QEMU splits option values at commas; a literal comma is written twice.</summary>
    public static string QemuOptionValue(string value) => value.Replace(",", ",,", StringComparison.Ordinal);
}
