using System;
using StrixOS.Boot;
using StrixOS.Memory;
using Xunit;
using static StrixOS.Tests.Boot.Multiboot2Builder;

namespace StrixOS.Tests.Boot;

public class Multiboot2ParserTests
{
    private static Multiboot2Info Parse(byte[] bytes)
    {
        Result<Multiboot2Info, BootInfoError> parsed = Multiboot2.Parse(bytes);
        Assert.True(parsed.IsOk, parsed.IsOk ? "" : parsed.Error.Describe());
        return parsed.Value;
    }

    private static BootInfoError ParseError(byte[] bytes)
    {
        Result<Multiboot2Info, BootInfoError> parsed = Multiboot2.Parse(bytes);
        Assert.True(parsed.IsError);
        Assert.False(parsed.Error.IsNone);
        return parsed.Error;
    }

    private static Multiboot2Builder WithMap() =>
        new Multiboot2Builder().MemoryMap(new MmapEntry(0x100000, 0x100000, MmapAvailable));

    [Fact]
    public void BiosStyleInformationIsRead()
    {
        byte[] bytes = new Multiboot2Builder()
            .CommandLine("console=serial log=debug")
            .BootLoaderName("GRUB 2.06-13+deb12u1")
            .BasicMemoryInfo(639, 129920)
            .MemoryMap(
                new MmapEntry(0, 0x9fc00, MmapAvailable),
                new MmapEntry(0x9fc00, 0x400, MmapReserved),
                new MmapEntry(0xf0000, 0x10000, MmapReserved),
                new MmapEntry(0x100000, 0x7ee0000, MmapAvailable),
                new MmapEntry(0x7fe0000, 0x20000, MmapReserved),
                new MmapEntry(0xfffc0000, 0x40000, MmapReserved))
            .RsdpV1(0x7fe1234)
            .End()
            .Build();
        Multiboot2Info info = Parse(bytes);

        Assert.Equal((uint)bytes.Length, info.TotalSize);
        Assert.Equal("console=serial log=debug", info.CommandLine);
        Assert.Equal("GRUB 2.06-13+deb12u1", info.BootLoaderName);
        Assert.Equal(639u, info.BasicMemoryInfo!.Value.LowerKiB);
        Assert.Equal(129920u, info.BasicMemoryInfo!.Value.UpperKiB);
        Assert.Equal(MemoryMapSource.Multiboot2Mmap, info.MemoryMapSource);
        Assert.False(info.EfiBootServicesActive);
        Assert.Equal(6, info.FirmwareMemoryMap.Length);
        Assert.Equal(new MemoryRegion(0x100000, 0x7fe0000, MemoryRegionType.Usable), info.FirmwareMemoryMap[3]);
        Assert.Equal(new MemoryRegion(0xfffc0000, 0x100000000, MemoryRegionType.Reserved), info.FirmwareMemoryMap[5]);
        Assert.True(info.HasRsdp);
        Assert.Equal(0, info.RsdpRevision);
        Assert.Equal(20, info.Rsdp.Length);
        Assert.Equal(Rsdp(0, 0x7fe1234, 0), info.Rsdp.ToArray());
        Assert.Equal(0, info.Modules.Length);
    }

    [Theory]
    [InlineData(1u, MemoryRegionType.Usable)]
    [InlineData(2u, MemoryRegionType.Reserved)]
    [InlineData(3u, MemoryRegionType.AcpiReclaimable)]
    [InlineData(4u, MemoryRegionType.AcpiNvs)]
    [InlineData(5u, MemoryRegionType.BadMemory)]
    [InlineData(0u, MemoryRegionType.Reserved)]
    [InlineData(7u, MemoryRegionType.Reserved)]
    [InlineData(20u, MemoryRegionType.Reserved)]
    [InlineData(0xFFFFFFFFu, MemoryRegionType.Reserved)]
    public void MultibootMemoryTypesMapToRegionTypes(uint type, MemoryRegionType expected)
    {
        Multiboot2Info info = Parse(new Multiboot2Builder().MemoryMap(new MmapEntry(0x1000, 0x1000, type)).End().Build());
        Assert.Equal(expected, info.FirmwareMemoryMap[0].Type);
    }

    [Fact]
    public void LargerMemoryMapEntriesAreHonoured()
    {
        Multiboot2Info info = Parse(new Multiboot2Builder()
            .MemoryMap(40, new MmapEntry(0x1000, 0x2000, MmapAvailable), new MmapEntry(0x5000, 0x1000, MmapNvs))
            .End().Build());
        Assert.Equal(new MemoryRegion(0x1000, 0x3000, MemoryRegionType.Usable), info.FirmwareMemoryMap[0]);
        Assert.Equal(new MemoryRegion(0x5000, 0x6000, MemoryRegionType.AcpiNvs), info.FirmwareMemoryMap[1]);
    }

    [Fact]
    public void AnEntryWhoseEndOverflowsIsCutAtTheTopOfTheAddressSpace()
    {
        Multiboot2Info info = Parse(new Multiboot2Builder().MemoryMap(new MmapEntry(0xFFFF_FFFF_FFFF_0000, 0x20000, MmapAvailable)).End().Build());
        Assert.Equal(ulong.MaxValue, info.FirmwareMemoryMap[0].End);
    }

    [Fact]
    public void UefiStyleInformationPrefersTheEfiMemoryMap()
    {
        byte[] bytes = new Multiboot2Builder()
            .BootLoaderName("GRUB 2.06")
            // GRUB's tag 6 under UEFI: derived from the EFI map, taken before boot services exited.
            .MemoryMap(new MmapEntry(0, 0x8000000, MmapAvailable))
            .RsdpV1(0x7f77014)
            .RsdpV2(0x7f77014, 0x7f770e8)
            .EfiMemoryMap(
                new EfiDescriptor((uint)EfiMemoryType.BootServicesCode, 0, 1),
                new EfiDescriptor((uint)EfiMemoryType.ConventionalMemory, 0x1000, 0x9f),
                new EfiDescriptor((uint)EfiMemoryType.LoaderData, 0x100000, 0x100),
                new EfiDescriptor((uint)EfiMemoryType.BootServicesData, 0x200000, 0x10),
                new EfiDescriptor((uint)EfiMemoryType.RuntimeServicesData, 0x7e00000, 0x20, EfiMemoryTypeMapping.RuntimeAttribute),
                new EfiDescriptor((uint)EfiMemoryType.AcpiReclaimMemory, 0x7f77000, 0x4),
                new EfiDescriptor((uint)EfiMemoryType.AcpiMemoryNvs, 0x7f7b000, 0x84))
            .End()
            .Build();
        Multiboot2Info info = Parse(bytes);

        Assert.Equal(MemoryMapSource.EfiMmap, info.MemoryMapSource);
        Assert.Equal(new[]
        {
            new MemoryRegion(0, 0x1000, MemoryRegionType.Usable),
            new MemoryRegion(0x1000, 0xa0000, MemoryRegionType.Usable),
            new MemoryRegion(0x100000, 0x200000, MemoryRegionType.BootloaderReclaimable),
            new MemoryRegion(0x200000, 0x210000, MemoryRegionType.Usable),
            new MemoryRegion(0x7e00000, 0x7e20000, MemoryRegionType.Reserved),
            new MemoryRegion(0x7f77000, 0x7f7b000, MemoryRegionType.AcpiReclaimable),
            new MemoryRegion(0x7f7b000, 0x7fff000, MemoryRegionType.AcpiNvs),
        }, info.FirmwareMemoryMap.ToArray());
        Assert.Equal(2, info.RsdpRevision);
        Assert.Equal(36, info.Rsdp.Length);
        Assert.Equal(Rsdp(2, 0x7f77014, 0x7f770e8), info.Rsdp.ToArray());
    }

    [Fact]
    public void TheEfiMemoryMapCountsWhereverItIsAndAfterTag6()
    {
        Multiboot2Info info = Parse(new Multiboot2Builder()
            .EfiMemoryMap(new EfiDescriptor((uint)EfiMemoryType.ConventionalMemory, 0x100000, 0x10))
            .MemoryMap(new MmapEntry(0, 0x8000000, MmapAvailable))
            .End().Build());
        Assert.Equal(MemoryMapSource.EfiMmap, info.MemoryMapSource);
        Assert.Equal(new[] { new MemoryRegion(0x100000, 0x110000, MemoryRegionType.Usable) }, info.FirmwareMemoryMap.ToArray());
    }

    [Theory]
    [InlineData(40u)]
    [InlineData(48u)]
    [InlineData(64u)]
    public void EfiDescriptorSizeIsHonoured(uint descriptorSize)
    {
        Multiboot2Info info = Parse(new Multiboot2Builder()
            .EfiMemoryMap(descriptorSize,
                new EfiDescriptor((uint)EfiMemoryType.ConventionalMemory, 0x100000, 0x10),
                new EfiDescriptor((uint)EfiMemoryType.AcpiMemoryNvs, 0x200000, 0x1),
                new EfiDescriptor((uint)EfiMemoryType.ConventionalMemory, 0x300000, 0x20))
            .End().Build());
        Assert.Equal(new[]
        {
            new MemoryRegion(0x100000, 0x110000, MemoryRegionType.Usable),
            new MemoryRegion(0x200000, 0x201000, MemoryRegionType.AcpiNvs),
            new MemoryRegion(0x300000, 0x320000, MemoryRegionType.Usable),
        }, info.FirmwareMemoryMap.ToArray());
    }

    [Theory]
    [InlineData(EfiMemoryType.ReservedMemoryType, 0UL, false, MemoryRegionType.Reserved)]
    [InlineData(EfiMemoryType.LoaderCode, 0UL, false, MemoryRegionType.BootloaderReclaimable)]
    [InlineData(EfiMemoryType.LoaderData, 0UL, false, MemoryRegionType.BootloaderReclaimable)]
    [InlineData(EfiMemoryType.BootServicesCode, 0UL, false, MemoryRegionType.Usable)]
    [InlineData(EfiMemoryType.BootServicesData, 0UL, false, MemoryRegionType.Usable)]
    [InlineData(EfiMemoryType.BootServicesCode, 0UL, true, MemoryRegionType.BootloaderReclaimable)]
    [InlineData(EfiMemoryType.BootServicesData, 0UL, true, MemoryRegionType.BootloaderReclaimable)]
    [InlineData(EfiMemoryType.RuntimeServicesCode, 0UL, false, MemoryRegionType.Reserved)]
    [InlineData(EfiMemoryType.RuntimeServicesData, 0UL, false, MemoryRegionType.Reserved)]
    [InlineData(EfiMemoryType.ConventionalMemory, 0UL, false, MemoryRegionType.Usable)]
    [InlineData(EfiMemoryType.ConventionalMemory, 0UL, true, MemoryRegionType.Usable)]
    [InlineData(EfiMemoryType.ConventionalMemory, 0x8000000000000000UL, false, MemoryRegionType.Reserved)]
    [InlineData(EfiMemoryType.ConventionalMemory, 0x40000UL, false, MemoryRegionType.Reserved)]
    [InlineData(EfiMemoryType.ConventionalMemory, 0xFUL, false, MemoryRegionType.Usable)]
    [InlineData(EfiMemoryType.BootServicesData, 0x8000000000000000UL, false, MemoryRegionType.Reserved)]
    [InlineData(EfiMemoryType.UnusableMemory, 0UL, false, MemoryRegionType.BadMemory)]
    [InlineData(EfiMemoryType.AcpiReclaimMemory, 0UL, false, MemoryRegionType.AcpiReclaimable)]
    [InlineData(EfiMemoryType.AcpiMemoryNvs, 0UL, false, MemoryRegionType.AcpiNvs)]
    [InlineData(EfiMemoryType.MemoryMappedIo, 0UL, false, MemoryRegionType.Reserved)]
    [InlineData(EfiMemoryType.MemoryMappedIoPortSpace, 0UL, false, MemoryRegionType.Reserved)]
    [InlineData(EfiMemoryType.PalCode, 0UL, false, MemoryRegionType.Reserved)]
    [InlineData(EfiMemoryType.PersistentMemory, 0UL, false, MemoryRegionType.Reserved)]
    [InlineData(EfiMemoryType.UnacceptedMemory, 0UL, false, MemoryRegionType.Reserved)]
    [InlineData((EfiMemoryType)0x70000001, 0UL, false, MemoryRegionType.Reserved)]
    [InlineData((EfiMemoryType)0x80000000, 0UL, false, MemoryRegionType.Reserved)]
    public void EfiTypesMapConservatively(EfiMemoryType type, ulong attribute, bool bootServicesActive, MemoryRegionType expected)
    {
        Assert.Equal(expected, EfiMemoryTypeMapping.ToRegionType((uint)type, attribute, bootServicesActive));
    }

    [Fact]
    public void Tag18MakesBootServicesMemoryReclaimableNotUsable()
    {
        Multiboot2Info info = Parse(new Multiboot2Builder()
            .EfiBootServicesNotTerminated()
            .EfiMemoryMap(
                new EfiDescriptor((uint)EfiMemoryType.BootServicesData, 0x100000, 0x10),
                new EfiDescriptor((uint)EfiMemoryType.ConventionalMemory, 0x200000, 0x10))
            .End().Build());
        Assert.True(info.EfiBootServicesActive);
        Assert.Equal(MemoryRegionType.BootloaderReclaimable, info.FirmwareMemoryMap[0].Type);
        Assert.Equal(MemoryRegionType.Usable, info.FirmwareMemoryMap[1].Type);
    }

    [Fact]
    public void Tag18WithOnlyTag6IsAnError()
    {
        BootInfoError error = ParseError(new Multiboot2Builder()
            .MemoryMap(new MmapEntry(0x100000, 0x100000, MmapAvailable))
            .EfiBootServicesNotTerminated()
            .End().Build());
        Assert.Equal(BootInfoErrorKind.BootServicesNotExited, error.Kind);
    }

    [Fact]
    public void EfiPageCountsThatOverflowAreCut()
    {
        Multiboot2Info info = Parse(new Multiboot2Builder()
            .EfiMemoryMap(new EfiDescriptor((uint)EfiMemoryType.ConventionalMemory, 0x100000, ulong.MaxValue / 2))
            .End().Build());
        Assert.Equal(ulong.MaxValue, info.FirmwareMemoryMap[0].End);
    }

    [Fact]
    public void ModulesAreReadInOrder()
    {
        Multiboot2Info info = Parse(WithMap()
            .Module(0x200000, 0x201234, "initrd.tar")
            .Module(0x300000, 0x300000, "")
            .Module(0x400000, 0x480000, "tests --all")
            .End().Build());
        Assert.Equal(3, info.Modules.Length);
        Assert.Equal((0x200000UL, 0x201234UL, "initrd.tar"), (info.Modules[0].Start, info.Modules[0].End, info.Modules[0].Name));
        Assert.Equal("", info.Modules[1].Name);
        Assert.Equal((0x400000UL, 0x480000UL, "tests --all"), (info.Modules[2].Start, info.Modules[2].End, info.Modules[2].Name));
    }

    [Fact]
    public void ModulesBetweenOtherTagsAndUpToTheLimitAreAllRead()
    {
        // The modules are counted in the walk and read in a second one that skips every other tag.
        Multiboot2Builder builder = new Multiboot2Builder().Module(0x200000, 0x201000, "first").CommandLine("strix.idle")
            .MemoryMap(new MmapEntry(0x100000, 0x100000, MmapAvailable)).BootLoaderName("GRUB");
        for (int i = 1; i < Multiboot2.MaxModules; i++)
            builder.Module(0x300000 + (uint)i * 0x1000, 0x300000 + (uint)i * 0x1000 + 7, "m" + i);
        Multiboot2Info info = Parse(builder.CommandLine("ignored: not the first").End().Build());
        Assert.Equal(Multiboot2.MaxModules, info.Modules.Length);
        Assert.Equal((0x200000UL, 0x201000UL, "first"), (info.Modules[0].Start, info.Modules[0].End, info.Modules[0].Name));
        for (int i = 1; i < Multiboot2.MaxModules; i++)
            Assert.Equal((0x300000UL + (ulong)i * 0x1000, 0x300000UL + (ulong)i * 0x1000 + 7, "m" + i),
                (info.Modules[i].Start, info.Modules[i].End, info.Modules[i].Name));
        Assert.Equal("strix.idle", info.CommandLine);
    }

    [Fact]
    public void AnInvertedModuleIsAnError()
    {
        BootInfoError error = ParseError(WithMap().Module(0x300000, 0x200000, "bad").End().Build());
        Assert.Equal(BootInfoErrorKind.InvertedModule, error.Kind);
        Assert.Equal(0x300000UL, error.Value);
        Assert.Equal(0x200000UL, error.Limit);
    }

    [Fact]
    public void TooManyModulesIsAnError()
    {
        Multiboot2Builder builder = WithMap();
        for (int i = 0; i <= Multiboot2.MaxModules; i++)
            builder.Module(0x1000000, 0x1001000, "m");
        Assert.Equal(BootInfoErrorKind.TooManyModules, ParseError(builder.End().Build()).Kind);
    }

    [Fact]
    public void StringsStopAtNulAndHideNonPrintableBytes()
    {
        byte[] body = { (byte)'a', 0x07, (byte)'b', 0xE9, (byte)'\t', (byte)'c', 0, (byte)'x' };
        Multiboot2Info info = Parse(WithMap().Tag(1, body).End().Build());
        Assert.Equal("a?b??c", info.CommandLine);
    }

    [Fact]
    public void AStringWithoutNulEndsWithItsTag()
    {
        Multiboot2Info info = Parse(WithMap().Tag(2, "GRUB"u8).End().Build());
        Assert.Equal("GRUB", info.BootLoaderName);
    }

    [Fact]
    public void MissingOptionalTagsGiveEmptyValues()
    {
        Multiboot2Info info = Parse(WithMap().End().Build());
        Assert.Equal("", info.CommandLine);
        Assert.Equal("", info.BootLoaderName);
        Assert.Null(info.BasicMemoryInfo);
        Assert.False(info.HasRsdp);
        Assert.Equal(0, info.Rsdp.Length);
    }

    [Fact]
    public void TheFirstCommandLineCounts()
    {
        Multiboot2Info info = Parse(WithMap().CommandLine("first").CommandLine("second").End().Build());
        Assert.Equal("first", info.CommandLine);
    }

    [Fact]
    public void UnknownTagsAreSkipped()
    {
        Multiboot2Info info = Parse(new Multiboot2Builder()
            .Tag(21, new byte[4])           // load base address
            .Tag(8, new byte[30])           // framebuffer, odd length: padded
            .Tag(9999, new byte[3])
            .CommandLine("ok")
            .MemoryMap(new MmapEntry(0x100000, 0x1000, MmapAvailable))
            .End().Build());
        Assert.Equal("ok", info.CommandLine);
        Assert.Single(info.FirmwareMemoryMap.ToArray());
    }

    [Fact]
    public void BytesAfterTheEndTagAreIgnored()
    {
        byte[] bytes = WithMap().End().Tag(1, "ignored"u8).Build();
        Multiboot2Info info = Parse(bytes);
        Assert.Equal("", info.CommandLine);
    }

    [Fact]
    public void ABufferLongerThanTotalSizeIsReadOnlyToTotalSize()
    {
        byte[] structure = WithMap().End().Build();
        byte[] padded = new byte[structure.Length + 64];
        structure.CopyTo(padded, 0);
        Assert.Equal((uint)structure.Length, Parse(padded).TotalSize);
    }

    [Fact]
    public void RsdpV2IsPreferredInEitherOrder()
    {
        Multiboot2Info info = Parse(WithMap().RsdpV2(0x1000, 0x2000).RsdpV1(0x1000).End().Build());
        Assert.Equal(2, info.RsdpRevision);
        Assert.Equal(36, info.Rsdp.Length);
    }

    [Fact]
    public void RsdpOffsetPointsAtTheCopyInsideTheStructure()
    {
        var builder = WithMap();
        int tagOffset = builder.Offset;
        byte[] bytes = builder.RsdpV1(0x1234).End().Build();
        Multiboot2Info info = Parse(bytes);
        Assert.Equal((uint)(tagOffset + 8), info.RsdpOffset);
        Assert.Equal(info.Rsdp.ToArray(), bytes.AsSpan((int)info.RsdpOffset, 20).ToArray());
    }

    [Fact]
    public void ABadRsdpSignatureOrChecksumIsAnError()
    {
        byte[] badSignature = Rsdp(0, 0x1000, 0);
        badSignature[0] = (byte)'X';
        Assert.Equal(BootInfoErrorKind.BadRsdp, ParseError(WithMap().Tag(14, badSignature).End().Build()).Kind);

        byte[] badChecksum = Rsdp(0, 0x1000, 0);
        badChecksum[16] ^= 1;
        Assert.Equal(BootInfoErrorKind.BadRsdp, ParseError(WithMap().Tag(14, badChecksum).End().Build()).Kind);

        byte[] badLength = Rsdp(2, 0x1000, 0x2000);
        badLength[20] = 200; // Length beyond the tag
        Assert.Equal(BootInfoErrorKind.BadRsdp, ParseError(WithMap().Tag(15, badLength).End().Build()).Kind);
    }

    [Fact]
    public void AnRsdpTagTooShortForItsRsdpIsAnError()
    {
        BootInfoError error = ParseError(WithMap().Tag(15, Rsdp(0, 0x1000, 0)).End().Build());
        Assert.Equal(BootInfoErrorKind.TagTooSmall, error.Kind);
        Assert.Equal(15u, error.TagType);
        Assert.Equal(28UL, error.Value);
        Assert.Equal(44UL, error.Limit);
    }

    // ---- Malformed structures ----

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void ABufferShorterThanTheHeaderIsTooSmall(int length)
    {
        Assert.Equal(BootInfoErrorKind.TooSmall, ParseError(new byte[length]).Kind);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(8u)]
    [InlineData(15u)]
    public void ATotalSizeBelowHeaderPlusEndTagIsTooSmall(uint totalSize)
    {
        BootInfoError error = ParseError(new Multiboot2Builder().End().Build(totalSize));
        Assert.Equal(BootInfoErrorKind.TooSmall, error.Kind);
        Assert.Equal(totalSize, error.Value);
    }

    [Fact]
    public void ATotalSizeLargerThanTheBufferIsTruncated()
    {
        byte[] bytes = WithMap().End().Build();
        BootInfoError error = ParseError(bytes.AsSpan(0, bytes.Length - 8).ToArray());
        Assert.Equal(BootInfoErrorKind.Truncated, error.Kind);
        Assert.Equal((ulong)bytes.Length, error.Value);
        Assert.Equal((ulong)bytes.Length - 8, error.Limit);
    }

    [Fact]
    public void AHugeTotalSizeIsRejected()
    {
        Assert.Equal(BootInfoErrorKind.TotalSizeTooLarge, ParseError(WithMap().End().Build(Multiboot2.MaxTotalSize + 8)).Kind);
        Assert.Equal(BootInfoErrorKind.TotalSizeTooLarge, ParseError(WithMap().End().Build(uint.MaxValue)).Kind);
    }

    [Fact]
    public void AMissingEndTagIsAnError()
    {
        BootInfoError error = ParseError(WithMap().CommandLine("x").Build());
        Assert.Equal(BootInfoErrorKind.MissingEndTag, error.Kind);
    }

    [Fact]
    public void ATotalSizeCuttingTheLastTagHeaderIsAMissingEndTag()
    {
        byte[] bytes = WithMap().End().Build();
        BootInfoError error = ParseError(WithMap().End().Build((uint)bytes.Length - 4));
        Assert.Equal(BootInfoErrorKind.MissingEndTag, error.Kind);
    }

    [Fact]
    public void ATagRunningPastTotalSizeIsAnError()
    {
        var builder = new Multiboot2Builder();
        int offset = builder.Offset;
        byte[] bytes = builder.Tag(1, "hello"u8, sizeOverride: 200).MemoryMap().End().Build();
        BootInfoError error = ParseError(bytes);
        Assert.Equal(BootInfoErrorKind.TagPastEnd, error.Kind);
        Assert.Equal(1u, error.TagType);
        Assert.Equal((uint)offset, error.Offset);
        Assert.Equal(200UL, error.Value);
    }

    [Fact]
    public void ATruncatedTagIsAnError()
    {
        // total_size ends in the middle of the memory map tag.
        byte[] bytes = new Multiboot2Builder().CommandLine("x")
            .MemoryMap(new MmapEntry(0x1000, 0x1000, MmapAvailable), new MmapEntry(0x3000, 0x1000, MmapAvailable))
            .End().Build();
        byte[] truncated = bytes.AsSpan(0, 40).ToArray();
        BitConverter.TryWriteBytes(truncated.AsSpan(0, 4), 40u);
        BootInfoError error = ParseError(truncated);
        Assert.Equal(BootInfoErrorKind.TagPastEnd, error.Kind);
        Assert.Equal(6u, error.TagType);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(4u)]
    [InlineData(7u)]
    public void ATagSmallerThanItsHeaderIsAnError(uint size)
    {
        BootInfoError error = ParseError(WithMap().Tag(1, "abc"u8, sizeOverride: size).End().Build());
        Assert.Equal(BootInfoErrorKind.TagTooSmall, error.Kind);
        Assert.Equal(size, error.Value);
    }

    [Theory]
    [InlineData(3u, 12u, 16UL)]   // module without its end address
    [InlineData(4u, 12u, 16UL)]   // basic meminfo without mem_upper
    [InlineData(6u, 12u, 16UL)]   // memory map without entry_version
    [InlineData(17u, 8u, 16UL)]   // EFI map without descriptor_size
    [InlineData(14u, 20u, 28UL)]  // RSDP v1 cut short
    public void ATagTooSmallForItsTypeIsAnError(uint type, uint size, ulong needed)
    {
        BootInfoError error = ParseError(WithMap().Tag(type, new byte[size - 8]).End().Build());
        Assert.Equal(BootInfoErrorKind.TagTooSmall, error.Kind);
        Assert.Equal(type, error.TagType);
        Assert.Equal(needed, error.Limit);
    }

    [Theory]
    [InlineData(16u)]
    [InlineData(24u)]
    public void AnEndTagOfTheWrongSizeIsAnError(uint size)
    {
        Assert.Equal(BootInfoErrorKind.BadEndTag, ParseError(WithMap().End(size).Build()).Kind);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(16u)]
    [InlineData(23u)]
    public void AMemoryMapEntrySizeTooSmallIsAnError(uint entrySize)
    {
        BootInfoError error = ParseError(new Multiboot2Builder().MemoryMap(entrySize, new MmapEntry(0x1000, 0x1000, MmapAvailable)).End().Build());
        Assert.Equal(BootInfoErrorKind.BadEntrySize, error.Kind);
        Assert.Equal(entrySize, error.Value);
        Assert.Equal(24UL, error.Limit);
    }

    [Fact]
    public void AnEfiDescriptorSizeTooSmallIsAnError()
    {
        BootInfoError error = ParseError(new Multiboot2Builder()
            .EfiMemoryMap(32, new EfiDescriptor((uint)EfiMemoryType.ConventionalMemory, 0x1000, 1)).End().Build());
        Assert.Equal(BootInfoErrorKind.BadEntrySize, error.Kind);
        Assert.Equal(17u, error.TagType);
        Assert.Equal(40UL, error.Limit);
    }

    [Fact]
    public void AMemoryMapWithAPartialEntryIsAnError()
    {
        byte[] body = new byte[8 + 24 + 10];
        BitConverter.TryWriteBytes(body.AsSpan(0, 4), 24u);
        BootInfoError error = ParseError(new Multiboot2Builder().Tag(6, body).End().Build());
        Assert.Equal(BootInfoErrorKind.PartialEntry, error.Kind);
        Assert.Equal(34UL, error.Value);
    }

    [Fact]
    public void AHugeEntrySizeWithNoEntriesReadsNothing()
    {
        byte[] body = new byte[8];
        BitConverter.TryWriteBytes(body.AsSpan(0, 4), 0x8000_0000u);
        Multiboot2Info info = Parse(new Multiboot2Builder().Tag(6, body).End().Build());
        Assert.Equal(0, info.FirmwareMemoryMap.Length);
    }

    [Fact]
    public void TooManyMemoryMapEntriesIsAnError()
    {
        var entries = new MmapEntry[Multiboot2.MaxMemoryMapEntries + 1];
        for (int i = 0; i < entries.Length; i++)
            entries[i] = new MmapEntry((ulong)i * 0x1000, 0x1000, MmapAvailable);
        Assert.Equal(BootInfoErrorKind.TooManyMemoryMapEntries, ParseError(new Multiboot2Builder().MemoryMap(entries).End().Build()).Kind);
    }

    [Fact]
    public void ADuplicateMemoryMapIsAnError()
    {
        BootInfoError error = ParseError(WithMap().MemoryMap(new MmapEntry(0, 0x1000, MmapAvailable)).End().Build());
        Assert.Equal(BootInfoErrorKind.DuplicateMemoryMap, error.Kind);
        Assert.Equal(6u, error.TagType);
    }

    [Fact]
    public void NoMemoryMapIsAnError()
    {
        Assert.Equal(BootInfoErrorKind.NoMemoryMap, ParseError(new Multiboot2Builder().CommandLine("x").End().Build()).Kind);
    }

    [Fact]
    public void AnEmptyMemoryMapParses()
    {
        Multiboot2Info info = Parse(new Multiboot2Builder().MemoryMap().End().Build());
        Assert.Equal(0, info.FirmwareMemoryMap.Length);
    }

    // ---- TryGetTotalSize ----

    [Fact]
    public unsafe void TryGetTotalSizeReadsAValidHeader()
    {
        byte[] bytes = WithMap().End().Build();
        ulong[] aligned = new ulong[bytes.Length / 8];
        Buffer.BlockCopy(bytes, 0, aligned, 0, bytes.Length);
        fixed (ulong* p = aligned)
        {
            Assert.True(Multiboot2.TryGetTotalSize((byte*)p, out uint size, out BootInfoError error));
            Assert.Equal((uint)bytes.Length, size);
            Assert.True(error.IsNone);

            Assert.False(Multiboot2.TryGetTotalSize((byte*)p + 4, out size, out error));
            Assert.Equal(BootInfoErrorKind.MisalignedInfo, error.Kind);
            Assert.Equal(0u, size);
        }
    }

    [Fact]
    public unsafe void TryGetTotalSizeRejectsNullAndBadSizes()
    {
        Assert.False(Multiboot2.TryGetTotalSize(null, out _, out BootInfoError error));
        Assert.Equal(BootInfoErrorKind.NullPointer, error.Kind);

        ulong[] header = new ulong[2];
        fixed (ulong* p = header)
        {
            header[0] = 12;
            Assert.False(Multiboot2.TryGetTotalSize((byte*)p, out _, out error));
            Assert.Equal(BootInfoErrorKind.TooSmall, error.Kind);

            header[0] = Multiboot2.MaxTotalSize + 1;
            Assert.False(Multiboot2.TryGetTotalSize((byte*)p, out _, out error));
            Assert.Equal(BootInfoErrorKind.TotalSizeTooLarge, error.Kind);

            header[0] = Multiboot2.MaxTotalSize;
            Assert.True(Multiboot2.TryGetTotalSize((byte*)p, out uint size, out _));
            Assert.Equal(Multiboot2.MaxTotalSize, size);
        }
    }
}
