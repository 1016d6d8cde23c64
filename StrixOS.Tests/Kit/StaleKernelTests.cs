using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using StrixOS.Tests.Runner;
using Xunit;

namespace StrixOS.Tests.Kit;

/// <summary>
/// A kernel must never boot stale framework code (issue 11): when a method body in StrixOS/ changes,
/// a rebuild of a kernel project that references StrixOS's sources (as StrixOS.csproj itself does)
/// recompiles its image. The builds run in a temporary copy of the kit, so the repository's own outputs
/// stay untouched. The project is samples/HelloStrix's code with a project reference instead of the SDK
/// package (the samples build on the packages; the packages' own freshness is ensure_feed's in ./strix).
/// </summary>
public sealed class StaleKernelTests : IDisposable
{
    /// <summary>The opening of KernelHost.Boot, which every image runs.</summary>
    private static readonly Regex BootBody = new(@"static void Boot\(Kernel kernel[^)]*\)\s*\{");

    private readonly string _copy = Path.Combine(Path.GetTempPath(), "strix-stale-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void ChangingFrameworkCodeRebuildsTheSampleImage()
    {
        string root = RepositoryLayout.FindRoot() ?? throw new InvalidOperationException("no StrixOS.sln above the test assembly");
        CopyKit(root, _copy);
        string sample = Path.Combine(_copy, "samples", "HelloStrix", "HelloStrix.csproj");
        string elf = Path.Combine(_copy, "samples", "HelloStrix", "bin", "Debug", "strix.elf");

        Build(sample);
        byte[] first = File.ReadAllBytes(elf);
        DateTime firstWrite = File.GetLastWriteTimeUtc(elf);

        // No change: the incremental build keeps the image (ILC and the link are skipped).
        Build(sample);
        Assert.Equal(firstWrite, File.GetLastWriteTimeUtc(elf));

        // Only a method body in the framework changes (KernelHost.Boot gains a statement): StrixOS's
        // reference assembly stays the same, so the sample's own C# is not recompiled, and only
        // ILC's inputs can tell that the image is out of date.
        string kernelHost = Path.Combine(_copy, "StrixOS", "KernelHost.cs");
        string source = File.ReadAllText(kernelHost);
        Assert.True(BootBody.IsMatch(source), $"{kernelHost} has no `static void Boot(Kernel kernel...) {{`: update this test");
        const string marker = "stale-check-9f3b";
        File.WriteAllText(kernelHost, BootBody.Replace(source, m => m.Value + $" System.GC.KeepAlive(\"{marker}\");", 1));
        string sampleAssembly = Path.Combine(_copy, "samples", "HelloStrix", "obj", "Debug", "net10.0", "linux-x64", "HelloStrix.dll");
        Assert.True(File.Exists(sampleAssembly), $"no {sampleAssembly}: where does the sample's IL go now? update this test");
        DateTime sampleAssemblyWrite = File.GetLastWriteTimeUtc(sampleAssembly);

        Build(sample);
        byte[] second = File.ReadAllBytes(elf);
        Assert.Equal(sampleAssemblyWrite, File.GetLastWriteTimeUtc(sampleAssembly));
        Assert.NotEqual(SHA256.HashData(first), SHA256.HashData(second));
        // ILC stores string literals as UTF-16: the new text is in the sample's image, not only in StrixOS.dll.
        Assert.True(Contains(second, Encoding.Unicode.GetBytes(marker)), "the rebuilt sample image does not hold the changed framework string");
        Assert.False(Contains(first, Encoding.Unicode.GetBytes(marker)));
    }

    public void Dispose()
    {
        if (Directory.Exists(_copy))
            Directory.Delete(_copy, recursive: true);
    }

    /// <summary>The build pipeline, the framework and the sample, without build outputs.</summary>
    private static void CopyKit(string root, string destination)
    {
        foreach (string file in new[] { "Cosmos.targets", "Directory.Build.props", "Directory.Build.targets", ".editorconfig" })
        {
            if (File.Exists(Path.Combine(root, file)))
                CopyFile(Path.Combine(root, file), Path.Combine(destination, file));
        }
        CopyTree(Path.Combine(root, "StrixOS"), Path.Combine(destination, "StrixOS"));
        // The package version and metadata the kernel projects import, and the pipeline's helper scripts.
        CopyTree(Path.Combine(root, "host", "Packaging"), Path.Combine(destination, "host", "Packaging"));
        CopyTree(Path.Combine(root, "samples", "HelloStrix"), Path.Combine(destination, "samples", "HelloStrix"));
        File.WriteAllText(Path.Combine(destination, "samples", "HelloStrix", "HelloStrix.csproj"), SourceReferencingProject);
    }

    /// <summary>HelloStrix built against the sources: a project reference to StrixOS and Cosmos.targets.</summary>
    private const string SourceReferencingProject = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <RuntimeIdentifier>linux-x64</RuntimeIdentifier>
            <PublishAot>true</PublishAot>
            <SelfContained>true</SelfContained>
            <Nullable>enable</Nullable>
            <AllowUnsafeBlocks>true</AllowUnsafeBlocks>
            <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
            <IsPackable>false</IsPackable>
            <StrixKernelClass>HelloStrix.HelloKernel</StrixKernelClass>
          </PropertyGroup>
          <ItemGroup>
            <ProjectReference Include="../../StrixOS/StrixOS.csproj" />
          </ItemGroup>
          <Import Project="../../Cosmos.targets" />
        </Project>
        """;

    private static void CopyTree(string source, string destination)
    {
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(source, file);
            string[] parts = relative.Split(Path.DirectorySeparatorChar);
            if (parts.Any(p => p is "bin" or "obj"))
                continue;
            CopyFile(file, Path.Combine(destination, relative));
        }
    }

    private static void CopyFile(string source, string destination)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        File.Copy(source, destination);
    }

    /// <summary>Builds the ELF only (Deployment=None skips the ISO, which this test does not need).</summary>
    private static void Build(string project)
    {
        var info = new ProcessStartInfo("dotnet", $"build \"{project}\" -c Debug -nologo -v:q -tl:off -p:Deployment=None")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using Process build = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var output = build.StandardOutput.ReadToEndAsync();
        var errors = build.StandardError.ReadToEndAsync();
        Assert.True(build.WaitForExit(600_000), "dotnet build did not finish within 10 minutes");
        Assert.True(build.ExitCode == 0, $"dotnet build {project} failed:\n{output.Result}\n{errors.Result}");
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
