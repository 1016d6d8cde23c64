using System;
using System.IO;
using System.Text;
using System.Threading.Tasks;
using StrixOS.Tests.Runner;
using Xunit;

namespace StrixOS.Tests.Booting;

/// <summary>One boot of a StrixOS image in QEMU: its exit status and everything it printed.</summary>
public sealed record KernelBootResult(int? ExitStatus, bool TimedOut, string Transcript)
{
    public bool Succeeded => ExitStatus == BootExit.KernelSuccessStatus;
    public bool Failed => ExitStatus == BootExit.KernelFailureStatus;
}

/// <summary>Boots images for the host boot tests (the QEMU command line is the test runner's).</summary>
public static class KernelBoot
{
    public static string RepositoryRoot =>
        RepositoryLayout.FindRoot() ?? throw new InvalidOperationException("cannot find StrixOS.sln above the test assembly");

    public static string DefaultImage => RepositoryLayout.ImagePath(RepositoryRoot);

    public static string Image(string relativeToRoot) => Path.Combine(RepositoryRoot, relativeToRoot);

    public static async Task<KernelBootResult> BootAsync(string commandLine = "", string memory = "128M", string cpu = "qemu64",
        string? image = null, int timeoutSeconds = 60, Firmware firmware = Firmware.SeaBios, params string[] extraArguments)
    {
        image ??= DefaultImage;
        Assert.True(File.Exists(image), $"no kernel image at {image}: build it with ./strix build (./strix test does)");
        string? qemu = QemuProcess.Locate(QemuConfiguration.DefaultQemu);
        Assert.True(qemu != null, $"{QemuConfiguration.DefaultQemu} not found: {KernelTestEngine.InstallHint}");
        var configuration = new QemuConfiguration
        {
            Memory = memory, CpuModel = cpu, Timeout = TimeSpan.FromSeconds(timeoutSeconds), ExtraArguments = extraArguments,
            Firmware = firmware,
        };
        var transcript = new StringBuilder();
        (BootExit? exit, string? startError) = await QemuProcess.RunAsync(qemu!, configuration.Arguments(image, commandLine),
            configuration.Timeout, (line, _) => { lock (transcript) transcript.Append(line).Append('\n'); });
        Assert.True(startError == null, $"QEMU did not start: {startError}");
        return new KernelBootResult(exit!.ExitStatus, exit.TimedOut, transcript.ToString());
    }
}
