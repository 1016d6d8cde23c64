using System;
using StrixOS.Boot;
using StrixOS.Memory;
using Xunit;
using static StrixOS.Memory.MemoryRegionType;
using static StrixOS.Tests.Boot.Multiboot2Builder;

namespace StrixOS.Tests.Boot;

public class BootInfoTests
{
    private const ulong PhysMemOffset = 0xFFFF800000000000;
    private const ulong InfoAddress = 0x10000;

    // What the kernel passes: its image at 1 MiB and the boot page tables after it.
    private static readonly MemoryRegion[] KernelRanges =
    {
        new(0x100000, 0x1a3456, Kernel),
        new(0x1a4000, 0x1a9000, BootPageTables),
    };

    private static BootInfo Create(byte[] bytes, MemoryRegion[]? kernelRanges = null)
    {
        Result<BootInfo, BootInfoError> created = BootInfo.Create(bytes, InfoAddress, kernelRanges ?? KernelRanges, PhysMemOffset);
        Assert.True(created.IsOk, created.IsOk ? "" : created.Error.Describe());
        BootInfo info = created.Value;
        MemoryMapOracle.AssertWellFormed(info.MemoryMap);
        return info;
    }

    private static BootInfoError CreateError(byte[] bytes, MemoryRegion[]? kernelRanges = null)
    {
        Result<BootInfo, BootInfoError> created = BootInfo.Create(bytes, InfoAddress, kernelRanges ?? KernelRanges, PhysMemOffset);
        Assert.True(created.IsError);
        return created.Error;
    }

    private static void AssertRegions(MemoryMap map, params MemoryRegion[] expected)
    {
        string Show(ReadOnlySpan<MemoryRegion> regions)
        {
            var text = new System.Text.StringBuilder();
            foreach (MemoryRegion r in regions)
                text.Append($"\n  {r.Start:x}-{r.End:x} {r.Type}");
            return text.ToString();
        }
        Assert.True(expected.AsSpan().SequenceEqual(map.Regions), $"expected:{Show(expected)}\nactual:{Show(map.Regions)}");
    }

    /// <summary>QEMU with SeaBIOS and -m 128M, as GRUB reports it.</summary>
    private static Multiboot2Builder QemuBios128M() => new Multiboot2Builder()
        .CommandLine("strix")
        .BootLoaderName("GRUB 2.06")
        .Module(0x1b0000, 0x1b1234, "initrd")
        .BasicMemoryInfo(639, 129920)
        .MemoryMap(
            new MmapEntry(0, 0x9fc00, MmapAvailable),
            new MmapEntry(0x9fc00, 0x400, MmapReserved),
            new MmapEntry(0xf0000, 0x10000, MmapReserved),
            new MmapEntry(0x100000, 0x7ee0000, MmapAvailable),
            new MmapEntry(0x7fe0000, 0x20000, MmapReserved),
            new MmapEntry(0xfffc0000, 0x40000, MmapReserved))
        .RsdpV1(0x7fe1234);

    [Fact]
    public void ABiosBootGivesTheExpectedNormalisedMap()
    {
        byte[] bytes = QemuBios128M().End().Build();
        BootInfo info = Create(bytes);
        ulong infoEnd = InfoAddress + (ulong)bytes.Length;

        AssertRegions(info.MemoryMap,
            new(0, 0x1000, InUse),
            new(0x1000, InfoAddress, Usable),
            new(InfoAddress, (infoEnd + 0xfff) & ~0xfffUL, BootInformation),
            new((infoEnd + 0xfff) & ~0xfffUL, 0x9f000, Usable),
            new(0x9f000, 0xa0000, Reserved),
            new(0xf0000, 0x100000, Reserved),
            new(0x100000, 0x1a4000, Kernel),
            new(0x1a4000, 0x1a9000, BootPageTables),
            new(0x1a9000, 0x1b0000, Usable),
            new(0x1b0000, 0x1b2000, Module),
            new(0x1b2000, 0x7fe0000, Usable),
            new(0x7fe0000, 0x8000000, Reserved),
            new(0xfffc0000, 0x100000000, Reserved));

        Assert.Equal(PhysMemOffset, info.PhysicalMemoryOffset);
        Assert.Equal("strix", info.CommandLine);
        Assert.Equal("GRUB 2.06", info.BootLoaderName);
        Assert.Equal(MemoryMapSource.Multiboot2Mmap, info.MemoryMapSource);
        Assert.Equal(6, info.FirmwareMemoryMap.Length);
        Assert.Equal(129920u, info.BasicMemoryInfo!.Value.UpperKiB);
        Assert.Equal("initrd", info.Modules[0].Name);
        Assert.Equal(InfoAddress, info.InformationAddress);
        Assert.Equal((uint)bytes.Length, info.InformationSize);
        Assert.False(info.EfiBootServicesActive);
    }

    [Fact]
    public void TheRsdpAddressPointsAtTheRsdpInsideTheInformation()
    {
        Multiboot2Builder builder = new Multiboot2Builder().MemoryMap(new MmapEntry(0x100000, 0x1000000, MmapAvailable));
        int tagOffset = builder.Offset;
        byte[] bytes = builder.RsdpV2(0x7fe1234, 0x7fe1300).End().Build();
        BootInfo info = Create(bytes);

        Assert.Equal(InfoAddress + (ulong)tagOffset + 8, info.RsdpAddress);
        Assert.Equal(2, info.RsdpRevision);
        // The bytes at that physical address (offset into the structure) are the RSDP.
        Assert.True(bytes.AsSpan(tagOffset + 8, 36).SequenceEqual(info.Rsdp));
        Assert.Equal("RSD PTR ", System.Text.Encoding.ASCII.GetString(info.Rsdp.Slice(0, 8)));
    }

    [Fact]
    public void NoRsdpGivesAddressZero()
    {
        BootInfo info = Create(new Multiboot2Builder().MemoryMap(new MmapEntry(0x100000, 0x1000000, MmapAvailable)).End().Build());
        Assert.Equal(0UL, info.RsdpAddress);
        Assert.Equal(0, info.Rsdp.Length);
    }

    /// <summary>QEMU with OVMF: GRUB's tag 6 says all boot-services and loader memory is available; tag 17 tells
    /// the truth after ExitBootServices.</summary>
    [Fact]
    public void AUefiBootUsesTheEfiMapAndKeepsFirmwareMemoryOut()
    {
        byte[] bytes = new Multiboot2Builder()
            .MemoryMap(new MmapEntry(0, 0x8000000, MmapAvailable))
            .EfiMemoryMap(
                new EfiDescriptor((uint)EfiMemoryType.BootServicesCode, 0, 0x1),
                new EfiDescriptor((uint)EfiMemoryType.ConventionalMemory, 0x1000, 0x9f),
                new EfiDescriptor((uint)EfiMemoryType.LoaderData, 0x100000, 0xb0),
                new EfiDescriptor((uint)EfiMemoryType.ConventionalMemory, 0x1b0000, 0x650),
                new EfiDescriptor((uint)EfiMemoryType.AcpiMemoryNvs, 0x800000, 0x8),
                new EfiDescriptor((uint)EfiMemoryType.BootServicesData, 0x808000, 0x10),
                new EfiDescriptor((uint)EfiMemoryType.ConventionalMemory, 0x818000, 0x77a0),
                new EfiDescriptor((uint)EfiMemoryType.RuntimeServicesCode, 0x7fb8000, 0x10, EfiMemoryTypeMapping.RuntimeAttribute),
                new EfiDescriptor((uint)EfiMemoryType.RuntimeServicesData, 0x7fc8000, 0x10, EfiMemoryTypeMapping.RuntimeAttribute),
                new EfiDescriptor((uint)EfiMemoryType.AcpiReclaimMemory, 0x7fd8000, 0x8),
                new EfiDescriptor((uint)EfiMemoryType.AcpiMemoryNvs, 0x7fe0000, 0x20),
                new EfiDescriptor((uint)EfiMemoryType.MemoryMappedIo, 0xffc00000, 0x400, EfiMemoryTypeMapping.RuntimeAttribute))
            .End().Build();
        BootInfo info = Create(bytes, new MemoryRegion[] { new(0x100000, 0x1a0000, Kernel) });

        Assert.Equal(MemoryMapSource.EfiMmap, info.MemoryMapSource);
        AssertRegions(info.MemoryMap,
            new(0, 0x1000, InUse),
            new(0x1000, InfoAddress, Usable),
            new(InfoAddress, InfoAddress + 0x1000, BootInformation),
            new(InfoAddress + 0x1000, 0xa0000, Usable),
            new(0x100000, 0x1a0000, Kernel),
            new(0x1a0000, 0x1b0000, BootloaderReclaimable),
            new(0x1b0000, 0x800000, Usable),
            new(0x800000, 0x808000, AcpiNvs),
            new(0x808000, 0x7fb8000, Usable),
            new(0x7fb8000, 0x7fd8000, Reserved),
            new(0x7fd8000, 0x7fe0000, AcpiReclaimable),
            new(0x7fe0000, 0x8000000, AcpiNvs),
            new(0xffc00000, 0x100000000, Reserved));
        foreach (MemoryRegion region in info.MemoryMap.Regions)
            Assert.False(region.Type == Usable && region.Start < 0x8000000 && region.End > 0x7fb8000, "ACPI or runtime memory is Usable");
    }

    [Fact]
    public void WithBootServicesActiveTheirMemoryIsNotUsable()
    {
        byte[] bytes = new Multiboot2Builder()
            .EfiMemoryMap(
                new EfiDescriptor((uint)EfiMemoryType.ConventionalMemory, 0x100000, 0x100),
                new EfiDescriptor((uint)EfiMemoryType.BootServicesData, 0x200000, 0x100))
            .EfiBootServicesNotTerminated()
            .End().Build();
        BootInfo info = Create(bytes, Array.Empty<MemoryRegion>());
        Assert.True(info.EfiBootServicesActive);
        Assert.Equal(BootloaderReclaimable, MemoryMapOracle.TypeAt(info.MemoryMap, 0x200000));
        Assert.Equal(0x100000UL, info.MemoryMap.TotalUsableBytes);
    }

    [Fact]
    public void AnEmptyMemoryMapIsAClearError()
    {
        BootInfoError error = CreateError(new Multiboot2Builder().MemoryMap().End().Build());
        Assert.Equal(BootInfoErrorKind.NoUsableMemory, error.Kind);
        Assert.Contains("no usable memory", error.Describe());
    }

    [Fact]
    public void AMapWithNothingUsableLeftIsAnError()
    {
        // The only usable memory is where the kernel lives.
        BootInfoError error = CreateError(new Multiboot2Builder()
            .MemoryMap(new MmapEntry(0x100000, 0xa3456, MmapAvailable), new MmapEntry(0, 0x1000, MmapAvailable))
            .End().Build());
        Assert.Equal(BootInfoErrorKind.NoUsableMemory, error.Kind);
        Assert.Equal(2UL, error.Value);
    }

    [Fact]
    public void ParserErrorsComeThrough()
    {
        Assert.Equal(BootInfoErrorKind.MissingEndTag, CreateError(new Multiboot2Builder().MemoryMap().Build()).Kind);
    }

    [Fact]
    public void KernelRangeErrorsComeThrough()
    {
        byte[] bytes = QemuBios128M().End().Build();
        Assert.Equal(BootInfoErrorKind.ReservedRangeMarkedUsable, CreateError(bytes, new MemoryRegion[] { new(0x100000, 0x200000, Usable) }).Kind);
        Assert.Equal(BootInfoErrorKind.InvertedReservedRange, CreateError(bytes, new MemoryRegion[] { new(0x200000, 0x100000, Kernel) }).Kind);
        Result<BootInfo, BootInfoError> created = BootInfo.Create(bytes, InfoAddress, KernelRanges, PhysMemOffset, 0x1800);
        Assert.Equal(BootInfoErrorKind.BadAddressLimit, created.Error.Kind);
    }

    /// <summary>OVMF at -m 128M around its ACPI NVS at 8 MiB (docs/deploy.md), as tag 6 gives it.</summary>
    private static byte[] OvmfLowMemory() => new Multiboot2Builder()
        .MemoryMap(
            new MmapEntry(0x100000, 0x700000, MmapAvailable),
            new MmapEntry(0x800000, 0x8000, MmapNvs),
            new MmapEntry(0x808000, 0x3000, MmapAvailable),
            new MmapEntry(0x80b000, 0x1000, MmapNvs),
            new MmapEntry(0x80c000, 0x4000, MmapAvailable),
            new MmapEntry(0x810000, 0xf0000, MmapNvs),
            new MmapEntry(0x900000, 0x7000000, MmapAvailable))
        .End().Build();

    [Fact]
    public void AKernelRangeOverFirmwareMemoryIsAnError()
    {
        // The Release image with its 8 MiB stack in the BSS reached 0xd55000, over OVMF's NVS.
        BootInfoError error = CreateError(OvmfLowMemory(), new MemoryRegion[] { new(0x100000, 0xd55000, Kernel) });
        Assert.Equal(BootInfoErrorKind.KernelOverlapsFirmwareMemory, error.Kind);
        Assert.Equal(0x800000UL, error.Value);
        Assert.Equal(0x808000UL, error.Limit);
        Assert.Equal("boot memory map: the kernel's memory 0x800000-0x808000 overlaps AcpiNvs memory in the firmware's map", error.Describe());

        // The stack placed over a reserved entry is refused the same way.
        byte[] withReserved = new Multiboot2Builder()
            .MemoryMap(new MmapEntry(0x100000, 0x7f00000, MmapAvailable), new MmapEntry(0x1000000, 0x10000, MmapReserved))
            .End().Build();
        error = CreateError(withReserved, new MemoryRegion[] { new(0x100000, 0x500000, Kernel), new(0xff0000, 0x17f0000, Kernel) });
        Assert.Equal(BootInfoErrorKind.KernelOverlapsFirmwareMemory, error.Kind);
        Assert.Equal(0x1000000UL, error.Value);
    }

    [Fact]
    public void AKernelClearOfFirmwareMemoryIsAccepted()
    {
        // The image below the NVS and the stack's frames above it, as the boot stage now places them.
        BootInfo info = Create(OvmfLowMemory(), new MemoryRegion[] { new(0x100000, 0x565000, Kernel), new(0x900000, 0x1100000, Kernel) });
        Assert.Contains(new MemoryRegion(0x900000, 0x1100000, Kernel), info.MemoryMap.Regions.ToArray());
    }

    [Fact]
    public void AnAddressLimitLeavesHighMemoryOut()
    {
        byte[] bytes = new Multiboot2Builder()
            .MemoryMap(new MmapEntry(0x100000, 0x7ff00000, MmapAvailable), new MmapEntry(0x100000000, 0x100000000, MmapAvailable))
            .End().Build();
        BootInfo info = BootInfo.Create(bytes, InfoAddress, KernelRanges, PhysMemOffset, 0x100000000).Value;
        Assert.Equal(0x80000000UL, info.MemoryMap.HighestAddress);
    }

    [Fact]
    public void TooManyRegionsIsAClearError()
    {
        var entries = new MmapEntry[600];
        for (int i = 0; i < entries.Length; i++)
            entries[i] = new MmapEntry(0x200000 + (ulong)i * 0x1000, 0x1000, i % 2 == 0 ? MmapAvailable : MmapReserved);
        BootInfoError error = CreateError(new Multiboot2Builder().MemoryMap(entries).End().Build());
        Assert.Equal(BootInfoErrorKind.TooManyRegions, error.Kind);
        Assert.Contains("512", error.Describe());
    }

    [Fact]
    public void EveryErrorKindHasItsOwnOneLineMessage()
    {
        var seen = new System.Collections.Generic.HashSet<string>();
        foreach (BootInfoErrorKind kind in Enum.GetValues<BootInfoErrorKind>())
        {
            string message = new BootInfoError(kind, 6, 0x48, 12, 16).Describe();
            Assert.False(string.IsNullOrWhiteSpace(message));
            Assert.DoesNotContain('\n', message);
            Assert.DoesNotContain("boot information error", message);
            Assert.True(seen.Add(message), $"{kind} shares its message");
        }
    }

    [Fact]
    public void MessagesNameTheTagAndOffset()
    {
        string message = new BootInfoError(BootInfoErrorKind.TagPastEnd, 6, 0x48, 400, 256).Describe();
        Assert.Equal("multiboot2: tag type 6 at offset 0x48 has size 400, running past total_size 256", message);
        Assert.Equal(message, new BootInfoError(BootInfoErrorKind.TagPastEnd, 6, 0x48, 400, 256).ToString());
    }
}
