using System;
using StrixOS.Memory;
using Xunit;
using static StrixOS.Memory.MemoryRegionType;

namespace StrixOS.Tests.Boot;

public class MemoryMapNormalizerTests
{
    private static MemoryRegion R(ulong start, ulong end, MemoryRegionType type) => new(start, end, type);

    private static MemoryMap Normalize(MemoryRegion[] firmware, params MemoryRegion[] reserved)
    {
        Result<MemoryMap, MemoryMapError> normalized = MemoryMapNormalizer.Normalize(firmware, reserved);
        Assert.True(normalized.IsOk, $"normaliser failed: {normalized}");
        MemoryMap map = normalized.Value;
        MemoryMapOracle.AssertWellFormed(map);
        return map;
    }

    private static void AssertRegions(MemoryMap map, params MemoryRegion[] expected)
    {
        Assert.Equal(expected.Length, map.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            MemoryRegion actual = map.Regions[i];
            Assert.True(expected[i].Start == actual.Start && expected[i].End == actual.End && expected[i].Type == actual.Type,
                $"region {i}: expected {expected[i].Start:x}-{expected[i].End:x} {expected[i].Type}, got {actual.Start:x}-{actual.End:x} {actual.Type}");
        }
    }

    [Fact]
    public void EmptyInputGivesAnEmptyMap()
    {
        MemoryMap map = Normalize(Array.Empty<MemoryRegion>());
        Assert.Equal(0, map.Count);
        Assert.Equal(0UL, map.TotalUsableBytes);
        Assert.Equal(0UL, map.HighestAddress);
    }

    [Fact]
    public void UnsortedEntriesComeOutSorted()
    {
        MemoryMap map = Normalize(new[]
        {
            R(0x300000, 0x400000, Usable),
            R(0x100000, 0x200000, Usable),
            R(0x200000, 0x280000, Reserved),
        });
        AssertRegions(map, R(0x100000, 0x200000, Usable), R(0x200000, 0x280000, Reserved), R(0x300000, 0x400000, Usable));
    }

    [Fact]
    public void UsableShrinksInwardAndOtherTypesGrowOutward()
    {
        MemoryMap map = Normalize(new[]
        {
            R(0x1800, 0x5800, Usable),
            R(0x5800, 0x6801, AcpiReclaimable),
            R(0x9000, 0x9fc00, Usable),
            R(0x9fc00, 0xa0000, Reserved),
        });
        // The frame 0x5000 is half Usable, half ACPI: ACPI takes it; 0x9f000 is partly Reserved.
        AssertRegions(map,
            R(0x2000, 0x5000, Usable),
            R(0x5000, 0x7000, AcpiReclaimable),
            R(0x9000, 0x9f000, Usable),
            R(0x9f000, 0xa0000, Reserved));
    }

    [Fact]
    public void TwoUsableHalvesOfAFrameMakeAWholeUsableFrame()
    {
        MemoryMap map = Normalize(new[] { R(0x1000, 0x1800, Usable), R(0x1800, 0x3000, Usable) });
        AssertRegions(map, R(0x1000, 0x3000, Usable));
    }

    [Fact]
    public void OverlappingAndAdjacentUsableEntriesMerge()
    {
        MemoryMap map = Normalize(new[]
        {
            R(0x10000, 0x30000, Usable),
            R(0x20000, 0x40000, Usable),
            R(0x40000, 0x50000, Usable),
            R(0x60000, 0x61000, Reserved),
            R(0x61000, 0x62000, Reserved),
        });
        AssertRegions(map, R(0x10000, 0x50000, Usable), R(0x60000, 0x62000, Reserved));
    }

    [Fact]
    public void ZeroLengthEntriesAreDropped()
    {
        MemoryMap map = Normalize(new[]
        {
            R(0x10000, 0x20000, Usable),
            R(0x18000, 0x18000, Reserved),
            R(0x18800, 0x18800, BadMemory),
            R(0x30000, 0x30000, Usable),
        }, R(0x14000, 0x14000, Kernel));
        AssertRegions(map, R(0x10000, 0x20000, Usable));
    }

    [Fact]
    public void ReservedInsideUsableSplitsIt()
    {
        MemoryMap map = Normalize(new[] { R(0x100000, 0x800000, Usable) },
            R(0x200000, 0x280123, Kernel), R(0x300000, 0x303000, BootPageTables), R(0x400010, 0x400020, BootInformation));
        AssertRegions(map,
            R(0x100000, 0x200000, Usable),
            R(0x200000, 0x281000, Kernel),
            R(0x281000, 0x300000, Usable),
            R(0x300000, 0x303000, BootPageTables),
            R(0x303000, 0x400000, Usable),
            R(0x400000, 0x401000, BootInformation),
            R(0x401000, 0x800000, Usable));
    }

    [Fact]
    public void FrameZeroIsNeverUsable()
    {
        MemoryMap map = Normalize(new[] { R(0, 0x9fc00, Usable) });
        AssertRegions(map, R(0, 0x1000, InUse), R(0x1000, 0x9f000, Usable));
        Assert.Equal(0x9e000UL, map.TotalUsableBytes);
    }

    [Fact]
    public void FrameZeroOfASingleFrameMapBecomesInUse()
    {
        MemoryMap map = Normalize(new[] { R(0, 0x1000, Usable) });
        AssertRegions(map, R(0, 0x1000, InUse));
    }

    [Fact]
    public void FrameZeroKeepsAFirmwareTypeThatOutranksUsable()
    {
        MemoryMap map = Normalize(new[] { R(0, 0x500, Reserved), R(0x500, 0x10000, Usable) });
        AssertRegions(map, R(0, 0x1000, Reserved), R(0x1000, 0x10000, Usable));
    }

    [Fact]
    public void EntriesBeyond52BitsAreClippedOrDropped()
    {
        const ulong limit = MemoryMapNormalizer.MaxPhysicalAddress;
        MemoryMap map = Normalize(new[]
        {
            R(0x100000, 0x200000, Usable),
            R(limit - 0x2000, limit + 0x10000, Usable),
            R(limit + 0x1000, limit + 0x9000, Reserved),
            R(limit - 0x800, ulong.MaxValue, BadMemory),
            R(ulong.MaxValue - 0x1000, ulong.MaxValue, Usable),
        });
        AssertRegions(map,
            R(0x100000, 0x200000, Usable),
            R(limit - 0x2000, limit - 0x1000, Usable),
            R(limit - 0x1000, limit, BadMemory));
    }

    [Fact]
    public void AnAddressLimitClipsTheMap()
    {
        MemoryMap map = MemoryMapNormalizer.Normalize(
            new[] { R(0x1000, 0x20000, Usable), R(0x1f000, 0x40000, Reserved) }, ReadOnlySpan<MemoryRegion>.Empty,
            0x10000).Value;
        MemoryMapOracle.AssertWellFormed(map, 0x10000);
        AssertRegions(map, R(0x1000, 0x10000, Usable));
    }

    [Fact]
    public void APageAModuleSharesWithTheBootInformationIsAModulePage()
    {
        // GRUB packs small modules and the information structure into the same pages; the information is
        // reclaimed after start-up, the modules (files, symbols) are read for ever.
        MemoryMap map = MemoryMapNormalizer.Normalize(
            new[] { R(0x1000, 0x10000, Usable) },
            new[] { R(0x2000, 0x2800, Module), R(0x2800, 0x3200, BootInformation), R(0x3200, 0x3300, Module) }).Value;
        MemoryMapOracle.AssertWellFormed(map);
        AssertRegions(map,
            R(0x1000, 0x2000, Usable),
            R(0x2000, 0x4000, Module),
            R(0x4000, 0x10000, Usable));
    }

    [Fact]
    public void PrecedenceIsTheDocumentedOrder()
    {
        MemoryRegionType[] order =
        {
            Usable, BootloaderReclaimable, AcpiReclaimable, BootInformation, Module, BootPageTables, Kernel, InUse,
            Reserved, AcpiNvs, BadMemory,
        };
        Assert.Equal(Enum.GetValues<MemoryRegionType>().Length, order.Length);
        for (int i = 1; i < order.Length; i++)
            Assert.True(MemoryMapNormalizer.Precedence(order[i]) > MemoryMapNormalizer.Precedence(order[i - 1]), $"{order[i]} must outrank {order[i - 1]}");
        Assert.Equal(MemoryMapNormalizer.Precedence(Reserved), MemoryMapNormalizer.Precedence((MemoryRegionType)200));
    }

    [Fact]
    public void EveryPairOfOverlappingTypesResolvesToTheHigherPrecedence()
    {
        foreach (MemoryRegionType low in Enum.GetValues<MemoryRegionType>())
        {
            foreach (MemoryRegionType high in Enum.GetValues<MemoryRegionType>())
            {
                if (MemoryMapNormalizer.Precedence(high) <= MemoryMapNormalizer.Precedence(low))
                    continue;
                // Firmware gives both types when the kernel types are involved too: the normaliser must not care where a type comes from.
                MemoryMap map = Normalize(new[] { R(0x10000, 0x20000, low), R(0x14000, 0x18000, high) });
                AssertRegions(map, R(0x10000, 0x14000, low), R(0x14000, 0x18000, high), R(0x18000, 0x20000, low));
            }
        }
    }

    [Fact]
    public void FirmwarePermanentTypesBeatKernelRanges()
    {
        MemoryMap map = Normalize(new[] { R(0x10000, 0x20000, AcpiNvs), R(0x20000, 0x30000, AcpiReclaimable) },
            R(0x18000, 0x28000, Kernel));
        AssertRegions(map, R(0x10000, 0x20000, AcpiNvs), R(0x20000, 0x28000, Kernel), R(0x28000, 0x30000, AcpiReclaimable));
    }

    [Fact]
    public void ReservedRangeOutsideTheFirmwareMapIsStillMarked()
    {
        MemoryMap map = Normalize(new[] { R(0x100000, 0x200000, Usable) }, R(0x1000000, 0x1001000, Module));
        AssertRegions(map, R(0x100000, 0x200000, Usable), R(0x1000000, 0x1001000, Module));
    }

    [Fact]
    public void InvertedRangeIsAnError()
    {
        Assert.Equal(MemoryMapError.InvertedRange, MemoryMapNormalizer.Normalize(new[] { R(0x2000, 0x1000, Usable) }, ReadOnlySpan<MemoryRegion>.Empty).Error);
        Assert.Equal(MemoryMapError.InvertedRange, MemoryMapNormalizer.Normalize(new[] { R(0x1000, 0x2000, Usable) }, new[] { R(0x9000, 0x8000, Kernel) }).Error);
    }

    [Fact]
    public void AReservedRangeOfTypeUsableIsAnError()
    {
        Assert.Equal(MemoryMapError.ReservedRangeMarkedUsable,
            MemoryMapNormalizer.Normalize(new[] { R(0x1000, 0x2000, Usable) }, new[] { R(0x1000, 0x2000, Usable) }).Error);
    }

    [Fact]
    public void MoreOutputRegionsThanTheLimitIsAnError()
    {
        // Alternating types never merge: 2 * 300 regions > 512.
        var firmware = new MemoryRegion[600];
        for (int i = 0; i < firmware.Length; i++)
            firmware[i] = R(0x1000UL * (ulong)(i + 1), 0x1000UL * (ulong)(i + 2), i % 2 == 0 ? Usable : Reserved);
        Assert.Equal(MemoryMapError.TooManyRegions, MemoryMapNormalizer.Normalize(firmware, ReadOnlySpan<MemoryRegion>.Empty).Error);

        // Exactly the limit is fine.
        MemoryMap map = MemoryMapNormalizer.Normalize(firmware.AsSpan(0, MemoryMap.MaxRegions), ReadOnlySpan<MemoryRegion>.Empty).Value;
        Assert.Equal(MemoryMap.MaxRegions, map.Count);
    }

    [Fact]
    public void ManyInputEntriesThatMergeAreFine()
    {
        var firmware = new MemoryRegion[MemoryMapNormalizer.MaxInputRegions];
        for (int i = 0; i < firmware.Length; i++)
            firmware[firmware.Length - 1 - i] = R(0x1000UL * (ulong)(i + 1), 0x1000UL * (ulong)(i + 2), Usable);
        MemoryMap map = Normalize(firmware);
        AssertRegions(map, R(0x1000, 0x1000UL * (ulong)(firmware.Length + 1), Usable));
    }

    [Fact]
    public void TooManyInputEntriesIsAnError()
    {
        var firmware = new MemoryRegion[MemoryMapNormalizer.MaxInputRegions];
        Assert.Equal(MemoryMapError.TooManyInputRegions, MemoryMapNormalizer.Normalize(firmware, new[] { R(0, 0x1000, Kernel) }).Error);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(0x1800UL)]
    [InlineData(MemoryMapNormalizer.MaxPhysicalAddress + 0x1000)]
    public void ABadAddressLimitIsAnError(ulong limit)
    {
        Assert.Equal(MemoryMapError.BadAddressLimit, MemoryMapNormalizer.Normalize(new[] { R(0x1000, 0x2000, Usable) }, ReadOnlySpan<MemoryRegion>.Empty, limit).Error);
    }

    [Fact]
    public void TryFindRegionFindsContainingRegionsAndNotHoles()
    {
        MemoryMap map = Normalize(new[] { R(0x1000, 0x3000, Usable), R(0x5000, 0x6000, Reserved) });
        Assert.True(map.TryFindRegion(0x2fff, out MemoryRegion region));
        Assert.Equal(Usable, region.Type);
        Assert.True(map.TryFindRegion(0x5000, out region));
        Assert.Equal(Reserved, region.Type);
        Assert.False(map.TryFindRegion(0x3000, out _));
        Assert.False(map.TryFindRegion(0x6000, out _));
        Assert.False(map.TryFindRegion(0, out _));
    }

    [Fact]
    public void TotalsCountEveryRegion()
    {
        MemoryMap map = Normalize(new[] { R(0x1000, 0x3000, Usable), R(0x5000, 0x6000, Reserved), R(0x8000, 0xa000, AcpiNvs) });
        Assert.Equal(0x2000UL, map.TotalUsableBytes);
        Assert.Equal(0x5000UL, map.TotalBytes);
        Assert.Equal(0xa000UL, map.HighestAddress);
    }
}
