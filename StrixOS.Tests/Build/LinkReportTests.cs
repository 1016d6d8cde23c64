using System.Diagnostics;
using System.IO;
using System.Linq;
using StrixOS.Tests.Booting;
using Xunit;

namespace StrixOS.Tests.Build;

/// <summary>StrixOS/Boot/Stage/link-report.awk: a failed link names each undefined symbol and the C# method that needs it.</summary>
public class LinkReportTests
{
    // ld's own words for a Debug object (DWARF lines) and a Release one (section offsets only).
    private const string DebugLog =
        "ld: /k/obj/Debug/strix/kernel.o: in function `S_P_CoreLib_System_Math__Cos':\n" +
        "/_/src/coreclr/nativeaot/System.Private.CoreLib/src/System/Math.NativeAot.cs:76: undefined reference to `cos'\n" +
        "ld: /k/obj/Debug/strix/kernel.o: in function `StrixOS_StrixOS_Kernel__Main':\n" +
        "/k/Kernel.cs:12: undefined reference to `cos'\n" +
        "ld: /k/obj/Debug/strix/kernel.o: in function `S_P_CoreLib_System_Guid__NewGuid':\n" +
        "/_/src/libraries/System.Private.CoreLib/src/System/Guid.Unix.cs:18: undefined reference to `SystemNative_GetCryptographicallySecureRandomBytes'\n" +
        "/_/src/libraries/System.Private.CoreLib/src/System/Guid.Unix.cs:19: undefined reference to `SystemNative_GetCryptographicallySecureRandomBytes'\n" +
        "ld: /k/obj/Debug/strix/kernel.o:(.data.rel.ro+0x40): undefined reference to `SystemNative_SysLog'\n";

    private const string ReleaseLog =
        "ld: /k/obj/Release/strix/kernel.o: in function `S_P_CoreLib_System_DateTime__get_UtcNow':\n" +
        "(.text+0x1234): undefined reference to `SystemNative_GetSystemTimeAsTicks'\n" +
        "ld: section .bss VMA overlaps section .data\n";

    private static string[] Report(string log)
    {
        string root = KernelBoot.RepositoryRoot;
        string input = Path.GetTempFileName();
        File.WriteAllText(input, log);
        var start = new ProcessStartInfo("awk") { RedirectStandardOutput = true };
        foreach (string argument in new[] { "-v", "docs=docs/runtime.md", "-f", Path.Combine(root, "StrixOS", "Boot", "Stage", "link-report.awk"), input })
            start.ArgumentList.Add(argument);
        using Process awk = Process.Start(start)!;
        string output = awk.StandardOutput.ReadToEnd();
        awk.WaitForExit();
        File.Delete(input);
        Assert.Equal(0, awk.ExitCode);
        return output.Split('\n', System.StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public void EachUndefinedSymbolIsNamedWithTheMethodThatNeedsItAndItsLine()
    {
        string[] lines = Report(DebugLog);
        Assert.Equal(5, lines.Length);
        Assert.Contains(lines, l => l.StartsWith("strix.elf : error STRIX0001: undefined symbol 'cos', needed by System.Math.Cos (System.Private.CoreLib) [S_P_CoreLib_System_Math__Cos] at Math.NativeAot.cs:76."));
        Assert.Contains(lines, l => l.Contains("undefined symbol 'cos', needed by StrixOS.Kernel.Main (StrixOS) [StrixOS_StrixOS_Kernel__Main] at Kernel.cs:12."));
        Assert.Contains(lines, l => l.Contains("'SystemNative_GetCryptographicallySecureRandomBytes', needed by System.Guid.NewGuid"));
        Assert.Single(lines, l => l.Contains("needed by System.Guid.NewGuid"));   // the same method's second reference is not repeated
        Assert.Contains(lines, l => l.Contains("'SystemNative_SysLog', needed by data at /k/obj/Debug/strix/kernel.o:(.data.rel.ro+0x40)."));
        Assert.All(lines.Take(4), l => Assert.Contains("docs/runtime.md", l));
        Assert.StartsWith("strix.elf : error STRIX0003: the kernel does not link: 3 undefined symbol(s)", lines[4]);
    }

    [Fact]
    public void WithoutLineInformationTheMethodIsStillNamedAndOtherLdErrorsPassThrough()
    {
        string[] lines = Report(ReleaseLog);
        Assert.Equal(3, lines.Length);
        Assert.EndsWith("needed by System.DateTime.get_UtcNow (System.Private.CoreLib) [S_P_CoreLib_System_DateTime__get_UtcNow]. The StrixOS runtime does not provide it: see docs/runtime.md (\"When the link fails\").", lines[0]);
        Assert.Equal("strix.elf : error STRIX0002: ld: section .bss VMA overlaps section .data", lines[1]);
        Assert.Contains("1 undefined symbol(s)", lines[2]);
    }
}
