using System.Globalization;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using StrixOS.Tests.Deploy;
using StrixOS.Tests.Runner;
using Xunit;
using Xunit.Abstractions;

namespace StrixOS.Tests.Booting;

/// <summary>
/// Issue 17.3: after boot, the memory the boot loader leaves (GRUB's data under UEFI, the multiboot
/// information, ACPI-reclaimable tables) is free memory. Booted under OVMF, where GRUB's allocations are a
/// large part of RAM (61 MiB of 252 MiB at 256M before reclaiming): the frame allocator plus what the kernel
/// itself occupies (image, boot tables, modules) must be at least 99% of the RAM in the map that is not the
/// firmware's (Reserved, which holds the EFI runtime regions, ACPI NVS and bad memory are left out).
/// </summary>
public sealed partial class BootMemoryReclaimTests(ITestOutputHelper output)
{
    private const double RequiredShare = 0.99;

    [GeneratedRegex(@"memory: reclaimed (?<reclaimed>\d+) KiB of boot memory; frame allocator (?<allocator>\d+) KiB, held (?<held>\d+) KiB, kernel image, boot tables and modules (?<kernel>\d+) KiB")]
    private static partial Regex ReclaimLine();

    [Theory]
    [InlineData("256M")]
    [InlineData("12G")]
    public async Task UnderUEFIAtLeast99PercentOfRAMIsUsableAfterReclaim(string memory)
    {
        Assert.True(DeployEnvironment.OvmfProblem() is null, DeployEnvironment.OvmfProblem());
        KernelBootResult boot = await KernelBoot.BootAsync(memory: memory, timeoutSeconds: 300, firmware: Firmware.Ovmf);
        Assert.True(boot.Succeeded, $"the boot at {memory} under OVMF did not succeed (exit {boot.ExitStatus}):\n{boot.Transcript}");
        (BootMemoryReport? report, string? problem) = BootMemoryReport.Parse(boot.Transcript);
        Assert.True(report is not null, problem);
        Assert.Equal(BootMemoryReport.EfiSource, report!.Source);
        Match line = ReclaimLine().Match(boot.Transcript);
        Assert.True(line.Success, "the kernel printed no reclaim line:\n" + boot.Transcript);
        ulong Kib(string group) => ulong.Parse(line.Groups[group].Value, CultureInfo.InvariantCulture) * 1024;

        ulong ram = 0, firmware = 0, allocatorExpected = 0, kernelExpected = 0, loaderBefore = 0;
        foreach (ReportedRegion region in report.Regions)
        {
            switch (region.Type)
            {
                case "Reserved":
                    break;
                case "AcpiNvs" or "BadMemory":
                    firmware += region.Size;
                    break;
                default:
                    ram += region.Size;
                    // Frame 0 is never handed out, whatever the map calls it.
                    if (region.Type is "Usable" or "BootloaderReclaimable" or "BootInformation" or "AcpiReclaimable")
                        allocatorExpected += region.Start == 0 ? region.Size - 4096 : region.Size;
                    else
                        kernelExpected += region.Size;
                    if (region.Type == "BootloaderReclaimable")
                        loaderBefore += region.Size;
                    break;
            }
        }
        ulong allocator = Kib("allocator"), kernel = Kib("kernel");
        ulong usable = allocator + kernel;
        double share = (double)usable / ram;
        output.WriteLine($"{memory}: RAM in the map without the firmware's {ram / 1024} KiB (left out: ACPI NVS and bad memory {firmware / 1024} KiB, Reserved); " +
                         $"boot-loader data before reclaim {loaderBefore / 1024} KiB; reclaimed {Kib("reclaimed") / 1024} KiB; " +
                         $"frame allocator {allocator / 1024} KiB + kernel {kernel / 1024} KiB = {share:P2}; the allocator alone {(double)allocator / ram:P2}");
        Assert.True(loaderBefore > 0, "OVMF's map had no boot-loader data: nothing to reclaim, so the test shows nothing");
        Assert.Equal(0UL, Kib("held"));
        Assert.Equal(allocatorExpected, allocator);
        Assert.Equal(kernelExpected, kernel);
        Assert.True(share >= RequiredShare, $"{memory}: only {share:P2} of the RAM in the map is usable after reclaim (goal {RequiredShare:P0})");
    }
}
