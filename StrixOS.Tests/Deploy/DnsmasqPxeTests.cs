using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using StrixOS.Tests.Runner;
using Xunit;
using Xunit.Abstractions;

namespace StrixOS.Tests.Deploy;

/// <summary>
/// Network boot as on a LAN: a real dnsmasq with the configuration from docs/deploy.md serves DHCP and
/// TFTP on a private network namespace (<see cref="PxeNetworkNamespace"/>), and QEMU boots from it
/// over a tap device: BIOS through iPXE (e1000), UEFI through OVMF's own PXE stack (virtio-net, no
/// option ROM). Each test checks that dnsmasq told the client architectures apart and served GRUB and
/// the kernel, and that the kernel booted with a sane memory map.
/// </summary>
public sealed class DnsmasqPxeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public void BiosMachineBootsThroughDnsmasq() => Boot(Firmware.SeaBios, "bios", ["-device", "e1000,netdev=net0"]);

    [Fact]
    public void UefiMachineBootsThroughDnsmasq() => Boot(Firmware.Ovmf, "efi64", ["-device", "virtio-net-pci,netdev=net0,romfile="]);

    private void Boot(Firmware firmware, string expectedTag, string[] nic)
    {
        string qemu = KernelTestMatrix.TemplateFromEnvironment().QemuPath;
        var missing = new List<string?>
        {
            DeployEnvironment.ToolProblem(qemu, "qemu-system-x86"),
            DeployEnvironment.ToolProblem("dnsmasq", "dnsmasq-base"),
            DeployEnvironment.ToolProblem("ip", "iproute2"),
            firmware == Firmware.Ovmf ? DeployEnvironment.OvmfProblem() : null,
            DeployEnvironment.PxeRootProblem(),
        }.OfType<string>().ToArray();
        Assert.True(missing.Length == 0, string.Join("; ", missing));

        (IReadOnlyList<string>? documented, string? docProblem) = DocumentedDnsmasqConfiguration.Read(DeployEnvironment.Root);
        Assert.True(documented is not null, docProblem);
        string scratch = Directory.CreateTempSubdirectory("strix-dnsmasq-").FullName;
        string tftpRoot = ReadableCopy(DeployEnvironment.PxeRoot, scratch);
        (string? configuration, string? siteProblem) = DocumentedDnsmasqConfiguration.ForSite(documented!, PxeNetworkNamespace.Interface, tftpRoot);
        Assert.True(configuration is not null, siteProblem);

        (PxeNetworkNamespace? network, string? networkProblem) = PxeNetworkNamespace.Create();
        Assert.True(network is not null, networkProblem);
        using (network)
        {
            string configurationFile = Path.Combine(scratch, "strixos.conf");
            File.WriteAllText(configurationFile, configuration);
            // Only for the test network: leases and logs stay in the scratch folder, and router
            // advertisements spare iPXE its wait for IPv6 (docs/deploy.md, "iPXE clients").
            using var dnsmasq = new DnsmasqProcess(network!, configurationFile, Path.Combine(scratch, "leases"));
            Assert.True(dnsmasq.WaitUntilServing(TimeSpan.FromSeconds(10)), $"dnsmasq did not start:\n{dnsmasq.Log}");

            var serial = new StringBuilder();
            var arguments = new List<string>
            {
                "-m", "128M", "-cpu", "qemu64", "-display", "none", "-vga", "none", "-serial", "stdio", "-monitor", "none",
                "-parallel", "none", "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                "-netdev", $"tap,id=net0,ifname={PxeNetworkNamespace.Interface},script=no,downscript=no", "-boot", "n",
            };
            arguments.AddRange(nic);
            if (firmware == Firmware.Ovmf)
                arguments.AddRange(["-bios", DeployEnvironment.OvmfPath]);
            string ip = QemuProcess.Locate("ip")!;
            (BootExit? exit, string? startError) = QemuProcess.RunAsync(ip, network!.Exec(QemuProcess.Locate(qemu)!, [.. arguments]), BootTimeout,
                (line, _) => { lock (serial) serial.AppendLine(line); }).GetAwaiter().GetResult();
            string transcript;
            lock (serial)
                transcript = serial.ToString();
            string log = dnsmasq.Log;
            output.WriteLine($"QEMU: {(exit is null ? startError : $"exit {exit.ExitStatus?.ToString() ?? "none (killed)"} after {exit.Elapsed.TotalSeconds:0.0} s")}");
            output.WriteLine("--- dnsmasq ---\n" + log);

            Assert.True(exit is not null, startError);
            Assert.True(exit!.ExitStatus == BootExit.KernelSuccessStatus,
                $"network boot through dnsmasq ended with QEMU status {exit.ExitStatus?.ToString() ?? "none (killed after the timeout)"}, not 33\n"
                + $"--- QEMU stderr ---\n{exit.StandardError}\n--- serial ---\n{transcript}\n--- dnsmasq ---\n{log}");
            Assert.Contains($"tags: {expectedTag}", log);
            string bootFile = DeployEnvironment.BootFile(firmware);
            Assert.Contains($"sent {Path.Combine(tftpRoot, bootFile)}", log);
            Assert.Contains($"sent {Path.Combine(tftpRoot, "boot/strix.elf")}", log);

            (BootMemoryReport? report, string? problem) = BootMemoryReport.Parse(transcript);
            Assert.True(report is not null, $"{problem}\n--- serial ---\n{transcript}");
            var problems = MemoryMapCheck.Problems(report!, firmware, BootMedium.Pxe, "128M");
            Assert.True(problems.Count == 0, "the memory map is not sane:\n  " + string.Join("\n  ", problems));
        }
        Directory.Delete(scratch, recursive: true);
    }

    /// <summary>
    /// dnsmasq serves TFTP as user nobody, which cannot enter a private (0700) folder such as a clone
    /// made under `mktemp -d`: the test serves a copy from a folder everyone may read.
    /// </summary>
    private static string ReadableCopy(string source, string scratch)
    {
        const UnixFileMode Directory755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        const UnixFileMode File644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException("network boot through dnsmasq is tested on Linux (network namespaces)");
        string root = Path.Combine(scratch, "tftp");
        File.SetUnixFileMode(scratch, Directory755);
        foreach (string directory in Directory.GetDirectories(source, "*", SearchOption.AllDirectories).Prepend(source))
        {
            string target = Path.Combine(root, Path.GetRelativePath(source, directory));
            Directory.CreateDirectory(target);
            File.SetUnixFileMode(target, Directory755);
        }
        foreach (string file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(root, Path.GetRelativePath(source, file));
            File.Copy(file, target);
            File.SetUnixFileMode(target, File644);
        }
        return root;
    }

    /// <summary>dnsmasq in the foreground inside the namespace, its log (stderr) collected; disposing stops it.</summary>
    private sealed class DnsmasqProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _log = new();
        private readonly ManualResetEventSlim _serving = new();

        public DnsmasqProcess(PxeNetworkNamespace network, string configurationFile, string leaseFile)
        {
            var start = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (string argument in network.Exec("dnsmasq", "--keep-in-foreground", $"--conf-file={configurationFile}",
                         $"--dhcp-leasefile={leaseFile}", "--pid-file=", "--log-facility=-",
                         "--enable-ra", $"--dhcp-range={PxeNetworkNamespace.Ipv6Prefix},ra-only", $"--ra-param={PxeNetworkNamespace.Interface},0,0"))
                start.ArgumentList.Add(argument);
            _process = new Process { StartInfo = start };
            _process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null)
                    return;
                lock (_log)
                    _log.AppendLine(e.Data);
                if (e.Data.Contains("TFTP root is", StringComparison.Ordinal))
                    _serving.Set();
            };
            _process.OutputDataReceived += (_, _) => { };
            _process.Start();
            _process.BeginErrorReadLine();
            _process.BeginOutputReadLine();
        }

        public string Log
        {
            get
            {
                lock (_log)
                    return _log.ToString();
            }
        }

        public bool WaitUntilServing(TimeSpan timeout) => _serving.Wait(timeout) && !_process.HasExited;

        public void Dispose()
        {
            if (!_process.HasExited)
                _process.Kill();
            _process.WaitForExit();
            _process.Dispose();
            _serving.Dispose();
        }
    }
}
