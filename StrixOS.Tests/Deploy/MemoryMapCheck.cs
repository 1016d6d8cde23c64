using System.Collections.Generic;
using System.Linq;
using StrixOS.Tests.Runner;

namespace StrixOS.Tests.Deploy;

/// <summary>
/// Whether the memory map a kernel printed is sane for the machine it ran on: well formed, its totals
/// consistent with its regions, and its RAM equal to QEMU's RAM less what the firmware keeps
/// (<see cref="FirmwareReservation"/>). Under UEFI a runtime-services or ACPI region typed Usable
/// shows up here as too much RAM or as a missing ACPI region.
/// </summary>
public static class MemoryMapCheck
{
    private const ulong FrameSize = 4096;
    private const ulong LegacyHoleStart = 0xA0000;
    private const ulong LegacyHoleEnd = 0x100000;

    /// <summary>Everything wrong with <paramref name="report"/>; empty when it is sane.</summary>
    public static IReadOnlyList<string> Problems(BootMemoryReport report, Firmware firmware, BootMedium medium, string qemuMemory)
    {
        var problems = new List<string>();
        string expectedSource = firmware == Firmware.Ovmf ? BootMemoryReport.EfiSource : BootMemoryReport.Multiboot2Source;
        if (report.Source != expectedSource)
            problems.Add($"the map came from \"{report.Source}\"; under {firmware} it must come from \"{expectedSource}\"");
        if (report.Regions.Count == 0)
        {
            problems.Add("the map has no regions");
            return problems;
        }
        if (report.Regions.Count != report.AnnouncedRegionCount)
            problems.Add($"the kernel announced {report.AnnouncedRegionCount} regions and printed {report.Regions.Count}");

        ReportedRegion? previous = null;
        foreach (ReportedRegion region in report.Regions)
        {
            if (region.Start >= region.End)
                problems.Add($"empty or inverted region {Describe(region)}");
            if (region.Start % FrameSize != 0 || region.End % FrameSize != 0)
                problems.Add($"region {Describe(region)} is not 4 KiB aligned");
            if (previous is { } before && region.Start < before.End)
                problems.Add($"region {Describe(region)} overlaps or precedes {Describe(before)}");
            if (region.Type == "Usable" && region.Start < LegacyHoleEnd && region.End > LegacyHoleStart)
                problems.Add($"Usable region {Describe(region)} reaches into 0xA0000-0x100000 (VGA memory and ROMs)");
            if (region.Type == "Usable" && region.Start == 0)
                problems.Add($"Usable region {Describe(region)} includes frame 0");
            previous = region;
        }

        ulong ram = Sum(report, type => type != "Reserved");
        if (ram != report.RamBytes)
            problems.Add($"the regions that are not Reserved add up to {ram} bytes, the kernel printed {report.RamBytes} bytes of RAM");
        ulong usable = Sum(report, type => type == "Usable");
        if (usable != report.UsableBytes)
            problems.Add($"the Usable regions add up to {usable} bytes, the kernel printed {report.UsableBytes} usable bytes");

        ulong installed = BootMemoryReport.QemuMemoryBytes(qemuMemory);
        FirmwareReservation reservation = FirmwareReservation.For(firmware, medium);
        if (report.RamBytes > installed)
            problems.Add($"the map holds {report.RamBytes} bytes of RAM, more than QEMU's {installed} (-m {qemuMemory})");
        else
        {
            ulong kept = installed - report.RamBytes;
            if (kept < reservation.MinimumBytes || kept > reservation.MaximumBytes)
                problems.Add($"QEMU's -m {qemuMemory} minus the RAM in the map is {BootMemoryReport.Kib(kept)}; expected "
                    + $"{BootMemoryReport.Kib(reservation.MinimumBytes)} to {BootMemoryReport.Kib(reservation.MaximumBytes)} "
                    + $"for {firmware} {medium} (measured: {reservation.Measured})");
        }

        if (firmware == Firmware.Ovmf && !report.Regions.Any(r => r.Type is "AcpiReclaimable" or "AcpiNvs"))
            problems.Add("under UEFI the map has no AcpiReclaimable or AcpiNvs region: OVMF's ACPI tables and NVS were typed as something else");
        return problems;
    }

    private static ulong Sum(BootMemoryReport report, System.Func<string, bool> include)
    {
        ulong total = 0;
        foreach (ReportedRegion region in report.Regions)
        {
            if (include(region.Type) && region.End > region.Start)
                total += region.Size;
        }
        return total;
    }

    private static string Describe(ReportedRegion region) => $"0x{region.Start:x}-0x{region.End:x} {region.Type}";
}
