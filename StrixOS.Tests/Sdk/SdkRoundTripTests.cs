using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using StrixOS.Tests.Runner;
using Xunit;
using Xunit.Abstractions;

namespace StrixOS.Tests.Sdk;

/// <summary>
/// StrixOS as a .NET SDK (issue 18): the packages, the templates and the ordinary dotnet commands,
/// used from a folder outside this repository (host/Packaging/roundtrip.sh), and the host-tool check.
/// </summary>
public sealed class SdkRoundTripTests(ITestOutputHelper output)
{
    private static string Root => RepositoryLayout.FindRoot() ?? throw new InvalidOperationException("no StrixOS.sln above the test assembly");

    [Fact]
    public async Task PackNewBuildRunAndTestAKernelOutsideTheRepository()
    {
        // --no-build: the packages are made from what this test run built (dotnet test builds the solution).
        (int status, string text) = await RunAsync("bash", [Path.Combine(Root, "host", "Packaging", "roundtrip.sh"), "--no-build"], TimeSpan.FromMinutes(15));
        output.WriteLine(text);
        Assert.True(status == 0, $"roundtrip.sh exited {status}:\n{text}");
        Assert.Contains("roundtrip: passed:", text);
    }

    [Fact]
    public async Task TheHostToolCheckNamesEachMissingPackageOnce()
    {
        string script = Path.Combine(Root, "host", "Packaging", "StrixOS.Sdk", "tools", "missing-packages.sh");
        (int status, string text) = await RunAsync("bash",
            [script, "bash:bash", "no-such-package:strix-no-such-command", "binutils:/no/such/file", "no-such-package:/no/such/other", "root:/"],
            TimeSpan.FromSeconds(30));
        Assert.Equal(0, status);
        Assert.Equal("no-such-package binutils", text);
    }

    [Fact]
    public async Task TheHostToolCheckPrintsNothingWhenEverythingIsThere()
    {
        string script = Path.Combine(Root, "host", "Packaging", "StrixOS.Sdk", "tools", "missing-packages.sh");
        (int status, string text) = await RunAsync("bash", [script, "bash:bash", "root:/"], TimeSpan.FromSeconds(30));
        Assert.Equal(0, status);
        Assert.Equal("", text);
    }

    private static async Task<(int Status, string Text)> RunAsync(string file, string[] arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"timed out after {timeout}\n{await stdout}{await stderr}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
