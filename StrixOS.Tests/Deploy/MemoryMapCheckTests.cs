using StrixOS.Tests.Runner;
using Xunit;

namespace StrixOS.Tests.Deploy;

/// <summary>The boot-report parser and the memory-map sanity check, on recorded boots and on the mistakes they must catch.</summary>
public sealed class MemoryMapCheckTests
{
    private static BootMemoryReport Parse(string transcript)
    {
        (BootMemoryReport? report, string? problem) = BootMemoryReport.Parse(transcript);
        Assert.True(report is not null, problem);
        return report!;
    }

    [Fact]
    public void ParsesTheOvmfReportThroughFirmwareNoise()
    {
        BootMemoryReport report = Parse(RecordedBootReports.OvmfCd128M.Replace("\n", "\r\n"));
        Assert.Equal(BootMemoryReport.EfiSource, report.Source);
        Assert.Equal(28, report.Regions.Count);
        Assert.Equal(130281472UL, report.RamBytes);
        Assert.Equal(new ReportedRegion(0x6abb000, 0x6b7c000, "Reserved"), report.Regions[20]);
    }

    [Fact]
    public void RecordedBootsAreSane()
    {
        Assert.Empty(MemoryMapCheck.Problems(Parse(RecordedBootReports.OvmfCd128M), Firmware.Ovmf, BootMedium.Cdrom, "128M"));
        Assert.Empty(MemoryMapCheck.Problems(Parse(RecordedBootReports.SeaBiosPxe128M), Firmware.SeaBios, BootMedium.Pxe, "128M"));
    }

    [Fact]
    public void RuntimeServicesMemoryTypedUsableIsCaught()
    {
        // OVMF's runtime-services data (Reserved) handed out as Usable: the kernel's own totals would
        // count it, so the map holds more RAM than QEMU less the firmware's reservation allows.
        string tampered = RecordedBootReports.OvmfCd128M
            .Replace("0x00000000074ed000-0x000000000776d000 Reserved", "0x00000000074ed000-0x000000000776d000 Usable  ")
            .Replace("(130281472 bytes)", $"({130281472 + 0x280000} bytes)")
            .Replace("(98721792 bytes)", $"({98721792 + 0x280000} bytes)");
        var problems = MemoryMapCheck.Problems(Parse(tampered), Firmware.Ovmf, BootMedium.Cdrom, "128M");
        Assert.Contains(problems, p => p.Contains("minus the RAM in the map", System.StringComparison.Ordinal));
    }

    [Fact]
    public void AcpiMemoryTypedAsSomethingElseIsCaught()
    {
        string tampered = RecordedBootReports.OvmfCd128M.Replace("AcpiNvs        ", "Reserved       ").Replace("AcpiReclaimable", "Reserved       ");
        var problems = MemoryMapCheck.Problems(Parse(tampered), Firmware.Ovmf, BootMedium.Cdrom, "128M");
        Assert.Contains(problems, p => p.Contains("no AcpiReclaimable or AcpiNvs", System.StringComparison.Ordinal));
    }

    [Fact]
    public void TotalsThatDisagreeWithTheRegionsAreCaught()
    {
        string tampered = RecordedBootReports.SeaBiosPxe128M.Replace("(132952064 bytes)", "(132956160 bytes)");
        var problems = MemoryMapCheck.Problems(Parse(tampered), Firmware.SeaBios, BootMedium.Pxe, "128M");
        Assert.Contains(problems, p => p.Contains("add up to 132952064 bytes", System.StringComparison.Ordinal));
    }

    [Fact]
    public void OverlapsMisalignmentAndUsableLegacyHoleAreCaught()
    {
        string tampered = RecordedBootReports.SeaBiosPxe128M
            .Replace("0x0000000000001000-0x000000000009c000 Usable", "0x0000000000001000-0x00000000000b0000 Usable")
            .Replace("0x00000000007a7000-0x00000000007a8000 BootInformation", "0x00000000007a7000-0x00000000007a8800 BootInformation");
        var problems = MemoryMapCheck.Problems(Parse(tampered), Firmware.SeaBios, BootMedium.Pxe, "128M");
        Assert.Contains(problems, p => p.Contains("reaches into 0xA0000", System.StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("not 4 KiB aligned", System.StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("overlaps", System.StringComparison.Ordinal));
    }

    [Fact]
    public void WrongMapSourceAndTooLittleRamAreCaught()
    {
        BootMemoryReport report = Parse(RecordedBootReports.SeaBiosPxe128M);
        var asUefi = MemoryMapCheck.Problems(report, Firmware.Ovmf, BootMedium.Pxe, "128M");
        Assert.Contains(asUefi, p => p.Contains("must come from \"EFI memory map, tag 17\"", System.StringComparison.Ordinal));
        // The same map on a machine given 4G: almost all of it missing.
        var withMoreRam = MemoryMapCheck.Problems(report, Firmware.SeaBios, BootMedium.Pxe, "4G");
        Assert.Contains(withMoreRam, p => p.Contains("minus the RAM in the map", System.StringComparison.Ordinal));
    }

    [Fact]
    public void MissingPiecesAreNamed()
    {
        Assert.Contains("no kernel banner", BootMemoryReport.Parse("GRUB error: file not found\n").Problem);
        Assert.Contains("no memory map header", BootMemoryReport.Parse("StrixOS 0.1.0: a C# unikernel for x86-64\n").Problem);
        string cut = RecordedBootReports.SeaBiosPxe128M[..RecordedBootReports.SeaBiosPxe128M.IndexOf("[info]  memory:", System.StringComparison.Ordinal)];
        Assert.Contains("no \"memory: ... RAM in the map", BootMemoryReport.Parse(cut).Problem);
    }

    [Theory]
    [InlineData("128M", 128UL << 20)]
    [InlineData("4G", 4UL << 30)]
    [InlineData("512", 512UL << 20)]
    public void QemuMemorySizesInBytes(string size, ulong bytes) => Assert.Equal(bytes, BootMemoryReport.QemuMemoryBytes(size));
}
