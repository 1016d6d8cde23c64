using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace StrixOS.Tests.Deploy;

/// <summary>
/// The dnsmasq configuration docs/deploy.md gives for network boot on a LAN: the fenced block after
/// the marker line. The test boots through this text, with only the site values (interface, TFTP
/// root) replaced, so the documentation cannot drift from what was tested.
/// </summary>
public static class DocumentedDnsmasqConfiguration
{
    public const string Marker = "<!-- dnsmasq configuration: booted by StrixOS.Tests/Deploy/DnsmasqPxeTests.cs -->";

    /// <summary>The configuration's lines, or why they could not be read.</summary>
    public static (IReadOnlyList<string>? Lines, string? Problem) Read(string? repositoryRoot)
    {
        if (repositoryRoot is null)
            return (null, "the repository root (the folder with StrixOS.sln) was not found above the test assembly");
        string path = Path.Combine(repositoryRoot, "docs", "deploy.md");
        if (!File.Exists(path))
            return (null, $"{path} does not exist");
        string[] lines = File.ReadAllLines(path);
        int marker = Array.FindIndex(lines, l => l.Trim() == Marker);
        if (marker < 0 || marker + 1 >= lines.Length || !lines[marker + 1].StartsWith("```", StringComparison.Ordinal))
            return (null, $"{path} has no fenced block right after the line {Marker}");
        int end = Array.FindIndex(lines, marker + 2, l => l.StartsWith("```", StringComparison.Ordinal));
        if (end < 0)
            return (null, $"the dnsmasq block in {path} is not closed");
        return (lines[(marker + 2)..end], null);
    }

    /// <summary>
    /// <paramref name="lines"/> with <c>interface=</c> and <c>tftp-root=</c> set to this machine's values;
    /// a problem when either setting is missing, since then the documented file would not work as written.
    /// </summary>
    public static (string? Text, string? Problem) ForSite(IReadOnlyList<string> lines, string interfaceName, string tftpRoot)
    {
        bool sawInterface = false, sawRoot = false;
        var result = new List<string>();
        foreach (string line in lines)
        {
            string setting = line.Trim();
            if (setting.StartsWith("interface=", StringComparison.Ordinal))
            {
                sawInterface = true;
                result.Add($"interface={interfaceName}");
            }
            else if (setting.StartsWith("tftp-root=", StringComparison.Ordinal))
            {
                sawRoot = true;
                result.Add($"tftp-root={tftpRoot}");
            }
            else
                result.Add(line);
        }
        if (!sawInterface || !sawRoot)
            return (null, "the documented dnsmasq configuration must set interface= and tftp-root=");
        return (string.Join('\n', result) + "\n", null);
    }

    /// <summary>Values of a setting ("dhcp-boot", "dhcp-match") in file order.</summary>
    public static IEnumerable<string> Values(IReadOnlyList<string> lines, string key) =>
        lines.Select(l => l.Trim()).Where(l => l.StartsWith(key + "=", StringComparison.Ordinal)).Select(l => l[(key.Length + 1)..]);
}
