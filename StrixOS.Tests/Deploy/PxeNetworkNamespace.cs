using System;
using System.Diagnostics;
using System.Threading;

namespace StrixOS.Tests.Deploy;

/// <summary>
/// A private network for one network-boot test: a new network namespace holding only a tap device
/// (tap0, 192.168.77.1/24 and fd77::1/64) for QEMU to attach to. Nothing outside the namespace is
/// touched; disposing deletes the namespace and with it the device.
/// </summary>
public sealed class PxeNetworkNamespace : IDisposable
{
    public const string Interface = "tap0";
    public const string ServerAddress = "192.168.77.1";
    public const string Ipv6Prefix = "fd77::";
    private static int s_count;

    public string Name { get; }

    private PxeNetworkNamespace(string name) => Name = name;

    /// <summary>The namespace, or why it could not be made (the partial namespace is removed again).</summary>
    public static (PxeNetworkNamespace? Namespace, string? Problem) Create()
    {
        if (!Environment.IsPrivilegedProcess)
            return (null, "network-boot tests through dnsmasq create a network namespace and a tap device: run them as root (./strix test does on CI)");
        var created = new PxeNetworkNamespace($"strix-pxe-{Environment.ProcessId}-{Interlocked.Increment(ref s_count)}");
        string[][] steps =
        [
            ["netns", "add", created.Name],
            ["-n", created.Name, "link", "set", "lo", "up"],
            ["-n", created.Name, "tuntap", "add", "dev", Interface, "mode", "tap"],
            ["-n", created.Name, "addr", "add", $"{ServerAddress}/24", "dev", Interface],
            ["-n", created.Name, "addr", "add", $"{Ipv6Prefix}1/64", "dev", Interface, "nodad"],
            ["-n", created.Name, "link", "set", Interface, "up"],
        ];
        foreach (string[] step in steps)
        {
            if (Ip(step) is { } problem)
            {
                if (step[0] != "netns")
                    created.Dispose();
                return (null, problem);
            }
        }
        return (created, null);
    }

    /// <summary>`ip netns exec NAME` before <paramref name="command"/>: the arguments to run it inside.</summary>
    public string[] Exec(string command, params string[] arguments) => ["netns", "exec", Name, command, .. arguments];

    public void Dispose() => Ip(["netns", "del", Name]);

    private static string? Ip(string[] arguments)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        try
        {
            using Process process = Process.Start(start)!;
            string error = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : $"ip {string.Join(' ', arguments)} failed ({process.ExitCode}): {error.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"ip could not be started ({e.Message}); install it with: sudo apt-get install iproute2";
        }
    }
}
