using System;
using System.Collections.Generic;
using System.IO;
using StrixOS.Tests.Deploy;
using Xunit;

namespace StrixOS.Tests.Booting;

/// <summary>
/// Where GRUB puts the kernel: at its link address (1 MiB), every loaded segment including its BSS, which GRUB
/// zeroes. Firmware memory there would be overwritten before the kernel runs (OVMF keeps ACPI NVS at 8-9 MiB),
/// so every loaded segment of the built image (bin/Debug/strix.elf, ./strix build) and of the image GRUB loads
/// (bin/Debug/boot/strix.elf: the kernel expander, which reserves the kernel's range) must stay clear of the
/// firmware's regions in the recorded maps of QEMU's firmwares. The kernel checks the same at boot against
/// the live map (BootInfo.Create, BootInfoErrorKind.KernelOverlapsFirmwareMemory).
/// </summary>
public class KernelImagePlacementTests
{
    private static readonly HashSet<string> FirmwareTypes = new(StringComparer.Ordinal) { "Reserved", "AcpiReclaimable", "AcpiNvs", "BadMemory" };

    public static TheoryData<string> RecordedMaps => new() { nameof(RecordedBootReports.OvmfCd128M), nameof(RecordedBootReports.SeaBiosPxe128M) };

    [Theory]
    [MemberData(nameof(RecordedMaps))]
    public void NoLoadedSegmentOverlapsFirmwareMemory(string recording)
    {
        string transcript = recording == nameof(RecordedBootReports.OvmfCd128M) ? RecordedBootReports.OvmfCd128M : RecordedBootReports.SeaBiosPxe128M;
        (BootMemoryReport? report, string? problem) = BootMemoryReport.Parse(transcript);
        Assert.True(report != null, problem);
        Assert.Contains(report!.Regions, r => FirmwareTypes.Contains(r.Type));

        // The kernel, and the image GRUB loads: the expander, its compressed kernel above the kernel's range,
        // and a segment reserving that range (Boot/Stage/Expander).
        string output = Path.Combine(KernelBoot.RepositoryRoot, "StrixOS", "bin", "Debug");
        foreach (string elf in new[] { Path.Combine(output, "strix.elf"), Path.Combine(output, "boot", "strix.elf") })
        {
            Assert.True(File.Exists(elf), $"{elf} does not exist: build it with ./strix build");
            IReadOnlyList<(ulong Start, ulong End)> segments = LoadedSegments(File.ReadAllBytes(elf));
            Assert.NotEmpty(segments);
            List<string> overlaps = Overlaps(segments, report);
            Assert.True(overlaps.Count == 0, $"{elf} ({recording}): {string.Join("; ", overlaps)}");
        }
    }

    [Fact]
    public void TheImageWithTheStackInItsBssOverlappedOvmfsNvs()
    {
        // The Release image before the stack left the BSS (2026-12-02): data and BSS from 0x3a6000 to 0xd55000.
        (BootMemoryReport? report, _) = BootMemoryReport.Parse(RecordedBootReports.OvmfCd128M);
        List<string> overlaps = Overlaps([(0x100000UL, 0x101000UL), (0x3a6000UL, 0xd55000UL)], report!);
        Assert.Contains(overlaps, o => o.Contains("AcpiNvs 0x800000-0x808000", StringComparison.Ordinal));
    }

    private static List<string> Overlaps(IReadOnlyList<(ulong Start, ulong End)> segments, BootMemoryReport report)
    {
        var overlaps = new List<string>();
        foreach ((ulong start, ulong end) in segments)
        {
            foreach (ReportedRegion region in report.Regions)
            {
                if (FirmwareTypes.Contains(region.Type) && start < region.End && region.Start < end)
                    overlaps.Add($"loaded segment 0x{start:x}-0x{end:x} overlaps {region.Type} 0x{region.Start:x}-0x{region.End:x}");
            }
        }
        return overlaps;
    }

    /// <summary>The physical range [p_paddr, p_paddr + p_memsz) of every PT_LOAD segment of an ELF64 file.</summary>
    private static List<(ulong Start, ulong End)> LoadedSegments(byte[] file)
    {
        Assert.True(file.Length >= 64 && file[0] == 0x7F && file[1] == (byte)'E' && file[4] == 2, "not an ELF64 file");
        ulong phoff = BitConverter.ToUInt64(file, 0x20);
        int phentsize = BitConverter.ToUInt16(file, 0x36), phnum = BitConverter.ToUInt16(file, 0x38);
        var segments = new List<(ulong, ulong)>();
        for (int i = 0; i < phnum; i++)
        {
            int p = (int)phoff + i * phentsize;
            if (BitConverter.ToUInt32(file, p) != 1)   // PT_LOAD
                continue;
            ulong paddr = BitConverter.ToUInt64(file, p + 0x18);
            ulong memsz = BitConverter.ToUInt64(file, p + 0x28);
            if (memsz != 0)
                segments.Add((paddr, paddr + memsz));
        }
        return segments;
    }
}
