using System;
using System.Collections.Generic;
using System.Linq;
using StrixOS.Tests.Runner;

namespace StrixOS.Tests.Deploy;

/// <summary>
/// One way users deploy StrixOS, as a QEMU machine: firmware (SeaBIOS, OVMF) x medium (the ISO as a
/// CD, the ISO as a raw disk or USB stick, network boot from the Deployment=PXE TFTP root through
/// QEMU's built-in DHCP and TFTP) x memory (128M, 4G).
/// </summary>
public sealed record DeployTarget(Firmware Firmware, BootMedium Medium, string Memory)
{
    /// <summary>Per boot. OVMF boots take 4-10 s alone; several run at once and the in-kernel suite reboots after expected faults.</summary>
    public static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(150);

    public static readonly IReadOnlyList<string> MemorySizes = ["128M", "4G"];

    /// <summary>All twelve, slowest first so that a few parallel runs finish together.</summary>
    public static IReadOnlyList<DeployTarget> All { get; } =
        (from firmware in new[] { Firmware.Ovmf, Firmware.SeaBios }
         from medium in new[] { BootMedium.Pxe, BootMedium.Disk, BootMedium.Cdrom }
         from memory in MemorySizes
         select new DeployTarget(firmware, medium, memory))
        .OrderByDescending(t => t.ExpectedBootSeconds)
        .ToArray();

    /// <summary>"uefi-pxe-4G", "bios-cd-128M": a test row and a file name.</summary>
    public string Label => $"{(Firmware == Firmware.Ovmf ? "uefi" : "bios")}-{Medium switch
    {
        BootMedium.Cdrom => "cd",
        BootMedium.Disk => "disk",
        _ => "pxe",
    }}-{Memory}";

    /// <summary>Measured alone on the reference machine (docs/deploy.md), for ordering only.</summary>
    public double ExpectedBootSeconds => (Firmware, Medium) switch
    {
        (Firmware.Ovmf, BootMedium.Pxe) => 10,
        (Firmware.SeaBios, BootMedium.Pxe) => 6.5,
        (Firmware.Ovmf, BootMedium.Disk) => 6,
        (Firmware.Ovmf, _) => 4.2,
        _ => 0.9,
    };

    public QemuConfiguration Configuration(QemuConfiguration template) => template with
    {
        Memory = Memory,
        CpuModel = "qemu64",
        Firmware = Firmware,
        FirmwarePath = Firmware == Firmware.Ovmf ? DeployEnvironment.OvmfPath : null,
        BootMedium = Medium,
        PxeTftpRoot = Medium == BootMedium.Pxe ? DeployEnvironment.PxeRoot : null,
        PxeBootFile = Medium == BootMedium.Pxe ? DeployEnvironment.BootFile(Firmware) : null,
        Timeout = template.Timeout > BootTimeout ? template.Timeout : BootTimeout,
    };

    /// <summary>What must exist on the host before this target can boot, as messages saying how to get it.</summary>
    public IEnumerable<string> Prerequisites(string qemuPath)
    {
        if (DeployEnvironment.ToolProblem(qemuPath, "qemu-system-x86") is { } qemu)
            yield return qemu;
        if (Firmware == Firmware.Ovmf && DeployEnvironment.OvmfProblem() is { } ovmf)
            yield return ovmf;
        if (Medium == BootMedium.Pxe)
        {
            if (DeployEnvironment.PxeRootProblem() is { } pxe)
                yield return pxe;
        }
        else if (DeployEnvironment.IsoProblem() is { } iso)
            yield return iso;
    }

    public override string ToString() => Label;
}
