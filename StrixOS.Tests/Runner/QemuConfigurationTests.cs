using System;
using System.IO;
using System.Linq;
using Xunit;

namespace StrixOS.Tests.Runner;

/// <summary>The matrix and the QEMU command lines it produces.</summary>
public sealed class QemuConfigurationTests
{
    [Fact]
    public void DefaultMatrixHasTwoDistinctMachines()
    {
        var configurations = KernelTestMatrix.Default(new QemuConfiguration());
        Assert.Equal(["128M-qemu64", "4G-max"], configurations.Select(c => c.Name));
    }

    [Fact]
    public void FullMatrixCrossesEveryMemorySizeWithEveryCpu()
    {
        var names = KernelTestMatrix.Full(new QemuConfiguration()).Select(c => c.Name).ToArray();
        Assert.Equal(10, names.Length);
        Assert.Equal(10, names.Distinct().Count());
        foreach (string memory in new[] { "32M", "128M", "1G", "4G", "8G" })
        {
            Assert.Contains($"{memory}-qemu64", names);
            Assert.Contains($"{memory}-max", names);
        }
    }

    [Fact]
    public void FirmwareAndMediumShowInTheNameAndTheArguments()
    {
        var configuration = new QemuConfiguration { Firmware = Firmware.Ovmf, BootMedium = BootMedium.Disk };
        Assert.Equal("128M-qemu64-uefi-disk", configuration.Name);
        var arguments = configuration.Arguments("/x/strix.iso", "test");
        Assert.Equal(QemuConfiguration.DefaultOvmf, arguments[arguments.ToList().IndexOf("-bios") + 1]);
        Assert.Contains("file=/x/strix.iso,format=raw,if=ide,snapshot=on", arguments);
        Assert.DoesNotContain(arguments, a => a.Contains("media=cdrom", StringComparison.Ordinal));
    }

    [Fact]
    public void PxeNeedsATftpRoot()
    {
        var incomplete = new QemuConfiguration { BootMedium = BootMedium.Pxe };
        Assert.NotNull(incomplete.ConfigurationProblem());
        var complete = incomplete with { PxeTftpRoot = "/srv/tftp", PxeBootFile = "boot/grub/i386-pc/core.0" };
        Assert.Null(complete.ConfigurationProblem());
        string arguments = string.Join(' ', complete.Arguments("", "test"));
        Assert.Contains("tftp=/srv/tftp,bootfile=boot/grub/i386-pc/core.0", arguments);
        Assert.Contains("-boot n", arguments);
    }

    [Fact]
    public void CommasInOptionValuesAreDoubled()
    {
        var arguments = new QemuConfiguration().Arguments("/odd,path/strix.iso", "test=Memory.*,Boot.*");
        Assert.Contains("name=opt/strix/cmdline,string=test=Memory.*,,Boot.*", arguments);
        Assert.Contains("file=/odd,,path/strix.iso,format=raw,media=cdrom,readonly=on", arguments);
    }

    [Fact]
    public void ExtraArgumentsComeLast()
    {
        var arguments = new QemuConfiguration { ExtraArguments = ["-d", "int"] }.Arguments("/x.iso", "test");
        Assert.Equal(["-d", "int"], arguments.TakeLast(2));
    }

    [Fact]
    public void RepositoryRootIsFoundAboveAnyFolderInIt()
    {
        string root = Path.Combine(Path.GetTempPath(), "strix-root-" + Guid.NewGuid().ToString("N"));
        string deep = Path.Combine(root, "StrixOS.Tests", "bin", "Debug", "net10.0");
        Directory.CreateDirectory(deep);
        try
        {
            Assert.Null(RepositoryLayout.FindRoot(deep));
            File.WriteAllText(Path.Combine(root, RepositoryLayout.SolutionFile), "");
            Assert.Equal(root, RepositoryLayout.FindRoot(deep));
            Assert.Equal(Path.Combine(root, "StrixOS", "bin", RepositoryLayout.BuildConfiguration, "strix.iso"),
                RepositoryLayout.ImagePath(root, configured: null));
            Assert.Equal(Path.Combine(root, "StrixOS", "bin", RepositoryLayout.BuildConfiguration, "strix.iso"),
                RepositoryLayout.ImagePath(root, configured: "  "));
            Assert.Equal(Path.Combine(root, "images", "other.iso"), RepositoryLayout.ImagePath(root, "images/other.iso"));
            Assert.Equal("/abs/strix.iso", RepositoryLayout.ImagePath(root, "/abs/strix.iso"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
