using System.IO;
using System.Threading.Tasks;
using Xunit;

namespace StrixOS.Tests.Booting;

/// <summary>
/// Issue 5: the whole in-kernel suite, six deliberate CPU faults included, runs with QEMU's
/// interrupt log on (<c>-d int,cpu_reset</c>): every fault is delivered and handled, none becomes
/// a triple fault or a reset, and QEMU ends by itself with success.
/// </summary>
public class CpuExceptionLogTests
{
    [Theory]
    [InlineData("qemu64")]
    [InlineData("max")]
    public async Task InKernelSuiteWithInterruptLoggingShowsNoTripleFault(string cpu)
    {
        string log = Path.Combine(Directory.CreateTempSubdirectory("strix-int").FullName, "qemu.log");
        KernelBootResult boot = await KernelBoot.BootAsync("test", memory: "256M", cpu: cpu, extraArguments: ["-d", "int,cpu_reset", "-D", log]);
        Assert.True(boot.Succeeded, $"exit {boot.ExitStatus}, timed out {boot.TimedOut}\n{boot.Transcript}");
        Assert.Contains("##strix end passed=", boot.Transcript);
        string interrupts = File.ReadAllText(log);
        Assert.DoesNotContain("Triple fault", interrupts);
        Assert.Contains("v=0e", interrupts);   // the page faults were really taken
        Assert.Contains("v=08", interrupts);   // and the double fault
        File.Delete(log);
    }
}
