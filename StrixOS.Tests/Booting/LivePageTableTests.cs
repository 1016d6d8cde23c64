using System;
using System.Diagnostics;
using System.IO;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using StrixOS.Tests.Runner;
using Xunit;

namespace StrixOS.Tests.Booting;

/// <summary>
/// Least privilege on the live machine (issue 5): the kernel idles after boot (<c>strix.idle</c>)
/// and QEMU's monitor lists every mapping (<c>info tlb</c>, flags "XGPDACTUW": X = no-execute,
/// U = user, W = writable). No page may be writable and executable, and none may be user-accessible.
/// </summary>
public class LivePageTableTests
{
    [Theory]
    [InlineData("qemu64")]
    [InlineData("max")]
    public async Task NoLivePageIsWritableAndExecutableOrUserAccessible(string cpu)
    {
        string directory = Directory.CreateTempSubdirectory("strix-tlb").FullName;
        string monitor = Path.Combine(directory, "monitor.sock"), serial = Path.Combine(directory, "serial.log");
        var info = new ProcessStartInfo("qemu-system-x86_64")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        var machine = new QemuConfiguration
        {
            Memory = "256M", CpuModel = cpu, Serial = $"file:{serial}", Monitor = $"unix:{monitor},server,nowait",
        };
        foreach (string argument in machine.Arguments(KernelBoot.DefaultImage, "strix.idle"))
            info.ArgumentList.Add(argument);
        using Process qemu = Process.Start(info) ?? throw new InvalidOperationException("qemu-system-x86_64 did not start");
        try
        {
            await WaitForAsync(() => File.Exists(serial) && File.ReadAllText(serial).Contains("strix.idle: boot complete"),
                TimeSpan.FromSeconds(60), () => $"the kernel did not reach idle:\n{(File.Exists(serial) ? File.ReadAllText(serial) : "")}");
            string tlb = await AskMonitorAsync(monitor, "info tlb");
            var mapping = new Regex(@"^([0-9a-f]{16}): ([0-9a-f]{16}) ([-XGPDACTUW]{9})", RegexOptions.Multiline);
            MatchCollection pages = mapping.Matches(tlb);
            Assert.True(pages.Count > 100, $"info tlb listed only {pages.Count} mappings:\n{tlb}");
            int kernelText = 0;
            foreach (Match page in pages)
            {
                string flags = page.Groups[3].Value;
                bool writable = flags[8] == 'W', noExecute = flags[0] == 'X', user = flags[7] == 'U';
                Assert.False(writable && !noExecute, $"writable and executable: {page.Value}");
                Assert.False(user, $"user-accessible kernel page: {page.Value}");
                if (page.Groups[1].Value.StartsWith("ffffffff8", StringComparison.Ordinal) && !noExecute)
                    kernelText++;
            }
            Assert.True(kernelText > 0, "no executable kernel page at all: the listing is not what it seems");
            Assert.DoesNotMatch(new Regex(@"^0000000000000000: ", RegexOptions.Multiline), tlb);
        }
        finally
        {
            if (!qemu.HasExited)
                qemu.Kill(entireProcessTree: true);
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<string> AskMonitorAsync(string socketPath, string command)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        var output = new StringBuilder();
        var buffer = new byte[65536];
        await socket.SendAsync(Encoding.ASCII.GetBytes(command + "\n"));
        // The monitor answers in pieces; the listing is complete when it has been quiet for a second.
        var quiet = Stopwatch.StartNew();
        while (quiet.Elapsed < TimeSpan.FromSeconds(1))
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            try
            {
                int read = await socket.ReceiveAsync(buffer, SocketFlags.None, wait.Token);
                if (read == 0)
                    break;
                output.Append(Encoding.ASCII.GetString(buffer, 0, read));
                quiet.Restart();
            }
            catch (OperationCanceledException)
            {
            }
        }
        return output.ToString().Replace("\r", "");
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout, Func<string> failure)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < timeout, failure());
            await Task.Delay(100);
        }
    }
}
