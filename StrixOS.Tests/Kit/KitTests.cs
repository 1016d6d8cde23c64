using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using System.Xml.Linq;
using StrixOS.Tests.Booting;
using Xunit;

namespace StrixOS.Tests.Kit;

/// <summary>StrixOS as a kit (issue 8): a project of your own, gdb, the memory picture.</summary>
public class KitTests
{
    private static string SampleImage => KernelBoot.Image("samples/HelloStrix/bin/Debug/strix.iso");

    [Fact]
    public async Task TheSampleProjectBuildsItsOwnImageAndBoots()
    {
        Assert.True(System.IO.File.Exists(SampleImage), $"no {SampleImage}: build it with dotnet build samples/HelloStrix (./strix test does)");
        KernelBootResult boot = await KernelBoot.BootAsync(image: SampleImage, memory: "256M");
        Assert.True(boot.Succeeded, $"exit {boot.ExitStatus}\n{boot.Transcript}");
        Assert.Contains("Hello from HelloStrix, a StrixOS kernel of its own", boot.Transcript);
        Assert.Matches(@"buffer page 3: virtual 0xffffc00000003000 -> physical 0x[0-9a-f]{16}", boot.Transcript);
        Assert.Contains("buffer check: word 2047 = 6141", boot.Transcript);
        Assert.Contains("Run() call 3", boot.Transcript);
    }

    [Fact]
    public async Task GdbBreaksOnACsharpMethodAndTheBacktraceNamesCsharpMethods()
    {
        string gdb = Which("gdb") ?? throw new InvalidOperationException("gdb not found: apt-get install gdb (or ./strix setup)");
        string image = KernelBoot.DefaultImage;
        string elf = Path.Combine(Path.GetDirectoryName(image)!, "strix.elf");
        Assert.True(File.Exists(elf), $"no {elf}: build with ./strix build");
        int port = 20000 + Environment.ProcessId % 20000;
        var machine = new Runner.QemuConfiguration { Serial = "null", ExtraArguments = ["-S", "-gdb", $"tcp:127.0.0.1:{port}"] };
        using Process qemu = Start("qemu-system-x86_64", machine.Arguments(image, ""));
        try
        {
            using Process session = Start(gdb,
                $"-q -batch -ex \"file {elf}\" -ex \"target remote 127.0.0.1:{port}\" " +
                "-ex \"break StrixOS_StrixOS_Boot_Stage_BootReport__PrintMemory\" -ex continue -ex \"bt 3\" -ex \"info line *$pc\" -ex kill");
            Task<string> output = session.StandardOutput.ReadToEndAsync();
            Task<string> errors = session.StandardError.ReadToEndAsync();
            Assert.True(session.WaitForExit(60_000), "gdb did not finish within 60 s");
            string text = await output + await errors;
            Assert.Contains("Breakpoint 1, StrixOS_StrixOS_Boot_Stage_BootReport__PrintMemory", text);
            Assert.Matches(@"#1\s+0x[0-9a-f]+ in StrixOS_StrixOS_KernelHost__Boot", text);
            Assert.Matches(@"Line \d+ of "".*BootReport\.cs""", text);
        }
        finally
        {
            if (!qemu.HasExited)
                qemu.Kill(entireProcessTree: true);
        }
    }

    [Theory]
    [InlineData("StrixOS.KernelHost.Boot", "", "StrixOS_StrixOS_KernelHost__Boot")]
    [InlineData("KernelHost.Boot", "", "StrixOS_StrixOS_KernelHost__Boot")]
    [InlineData("HelloKernel.Run", "samples/HelloStrix", "HelloStrix_HelloStrix_HelloKernel__Run")]
    public async Task StrixTranslatesACsharpMethodNameToItsIlcSymbol(string name, string project, string symbol)
    {
        (int status, string output) = await StrixAsync("symbol", name, project);
        Assert.True(status == 0, output);
        Assert.Equal(symbol, output.Trim());
    }

    [Fact]
    public async Task StrixRefusesAMethodTheImageDoesNotHave()
    {
        (int status, string output) = await StrixAsync("symbol", "NoSuchType.NoSuchMethod", "");
        Assert.NotEqual(0, status);
        Assert.Contains("no method NoSuchType.NoSuchMethod", output);
    }

    private static async Task<(int Status, string Output)> StrixAsync(string command, string argument, string project)
    {
        string root = Runner.RepositoryLayout.FindRoot() ?? throw new InvalidOperationException("no StrixOS.sln above the test assembly");
        string arguments = $"{command} {argument}" + (project.Length > 0 ? $" --project {Path.Combine(root, project)}" : "");
        using Process strix = Start(Path.Combine(root, "strix"), arguments);
        Task<string> output = strix.StandardOutput.ReadToEndAsync();
        Task<string> errors = strix.StandardError.ReadToEndAsync();
        Assert.True(strix.WaitForExit(60_000), "strix did not finish within 60 s");
        return (strix.ExitCode, await output + await errors);
    }

    [Fact]
    public async Task MemoryPictureOfARealBootIsWellFormedAndAddsUpToTheMap()
    {
        KernelBootResult boot = await KernelBoot.BootAsync("strix.memmap", memory: "256M");
        Assert.True(boot.Succeeded, boot.Transcript);
        MemoryPicture picture = MemoryPicture.Parse(boot.Transcript, out string? error);
        Assert.Null(error);
        XNamespace ns = "http://www.w3.org/2000/svg";
        XDocument svg = XDocument.Parse(picture.ToSvg());
        ulong drawn = svg.Descendants(ns + "rect").Where(r => (string?)r.Attribute("class") == "region")
            .Aggregate(0UL, (s, r) => s + ulong.Parse((string)r.Attribute("data-bytes")!));
        Match usable = Regex.Match(boot.Transcript, @"usable \((\d+) bytes\)");
        Match ram = Regex.Match(boot.Transcript, @"RAM in the map \((\d+) bytes\)");
        Assert.Equal(picture.TotalBytes, drawn);
        Assert.Equal(ulong.Parse(usable.Groups[1].Value), picture.BytesOf("Usable"));
        Assert.Equal(ulong.Parse(ram.Groups[1].Value), picture.TotalBytes - picture.BytesOf("Reserved"));
        Assert.True(picture.PageTableCount >= 4, "the live page tables were not counted");
    }

    private static Process Start(string file, string arguments) => Start(new ProcessStartInfo(file, arguments));

    private static Process Start(string file, System.Collections.Generic.IEnumerable<string> arguments) => Start(new ProcessStartInfo(file, arguments));

    private static Process Start(ProcessStartInfo info)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true;
        info.UseShellExecute = false;
        return Process.Start(info) ?? throw new InvalidOperationException($"{info.FileName} did not start");
    }

    private static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
