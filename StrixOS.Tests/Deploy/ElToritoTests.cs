using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace StrixOS.Tests.Deploy;

/// <summary>
/// The ISO's boot records, as VirtualBox, real firmware and USB sticks see them: an El Torito entry for
/// BIOS and one for UEFI (xorriso -report_el_torito), and for the disk form an MBR with GRUB's boot
/// code plus a GPT whose EFI system partition is the same EFI image (xorriso -report_system_area).
/// </summary>
public sealed partial class ElToritoTests
{
    private const string EfiSystemPartitionGuid = "28732ac11ff8d211ba4b00a0c93ec93b";   // C12A7328-F81F-11D2-BA4B-00A0C93EC93B, as stored

    [GeneratedRegex(@"^El Torito boot img :\s+(?<n>\d+)\s+(?<platform>\S+)\s+(?<bootable>\S+)\s+(?<emulation>\S+)")]
    private static partial Regex BootImageLine();

    [GeneratedRegex(@"^El Torito img path :\s+(?<n>\d+)\s+(?<path>\S+)")]
    private static partial Regex BootImagePathLine();

    [Fact]
    public void IsoHasBootableBiosAndUefiElToritoImages()
    {
        string report = Xorriso("-report_el_torito", "plain");
        var images = report.Split('\n').Select(l => BootImageLine().Match(l.Trim())).Where(m => m.Success)
            .Select(m => (Number: m.Groups["n"].Value, Platform: m.Groups["platform"].Value, Bootable: m.Groups["bootable"].Value,
                          Emulation: m.Groups["emulation"].Value))
            .ToArray();
        var paths = report.Split('\n').Select(l => BootImagePathLine().Match(l.Trim())).Where(m => m.Success)
            .ToDictionary(m => m.Groups["n"].Value, m => m.Groups["path"].Value);

        var bios = images.Where(i => i.Platform == "BIOS").ToArray();
        var uefi = images.Where(i => i.Platform == "UEFI").ToArray();
        Assert.True(bios.Length == 1, $"expected one BIOS El Torito boot image, found {bios.Length}:\n{report}");
        Assert.True(uefi.Length == 1, $"expected one UEFI El Torito boot image, found {uefi.Length}:\n{report}");
        Assert.True(bios[0].Bootable == "y" && bios[0].Emulation == "none", $"the BIOS image must be bootable without emulation:\n{report}");
        Assert.True(uefi[0].Bootable == "y" && uefi[0].Emulation == "none", $"the UEFI image must be bootable without emulation:\n{report}");
        Assert.Equal("/boot/grub/i386-pc/eltorito.img", paths.GetValueOrDefault(bios[0].Number));
        Assert.True(paths.ContainsKey(uefi[0].Number), $"the UEFI boot image has no path in the ISO:\n{report}");
    }

    [Fact]
    public void IsoAsDiskHasGrubMbrAndAnEfiSystemPartition()
    {
        string report = Xorriso("-report_system_area", "plain");
        string? summary = report.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("System area summary:", System.StringComparison.Ordinal));
        Assert.True(summary is not null, $"xorriso reported no system area (not a hybrid image):\n{report}");
        Assert.Contains("grub2-mbr", summary);
        Assert.Contains("GPT", summary);

        // The GPT entry of type EFI System Partition must be the UEFI El Torito image, so disk and CD boot the same GRUB.
        string[] lines = report.Split('\n').Select(l => l.Trim()).ToArray();
        string? espNumber = lines.Select(l => Regex.Match(l, @"^GPT type GUID\s*:\s+(\d+)\s+" + EfiSystemPartitionGuid + "$"))
            .Where(m => m.Success).Select(m => m.Groups[1].Value).FirstOrDefault();
        Assert.True(espNumber is not null, $"the GPT has no EFI system partition:\n{report}");
        string? espPath = lines.Select(l => Regex.Match(l, @"^GPT partition path\s*:\s+" + espNumber + @"\s+(\S+)$"))
            .Where(m => m.Success).Select(m => m.Groups[1].Value).FirstOrDefault();
        string elTorito = Xorriso("-report_el_torito", "plain");
        Assert.True(espPath is not null && elTorito.Contains($" {espPath}", System.StringComparison.Ordinal),
            $"the EFI system partition ({espPath ?? "no path"}) is not the UEFI El Torito image:\n{report}\n{elTorito}");
    }

    private static string Xorriso(params string[] report)
    {
        Assert.True(DeployEnvironment.ToolProblem("xorriso", "xorriso") is null, DeployEnvironment.ToolProblem("xorriso", "xorriso"));
        Assert.True(DeployEnvironment.IsoProblem() is null, DeployEnvironment.IsoProblem());
        var start = new ProcessStartInfo("xorriso") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { "-indev", DeployEnvironment.IsoPath }.Concat(report))
            start.ArgumentList.Add(argument);
        using Process process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"xorriso {string.Join(' ', report)} failed with status {process.ExitCode}: {error.Result}");
        return text;
    }
}
