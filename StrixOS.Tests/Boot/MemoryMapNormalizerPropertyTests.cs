using System;
using CsCheck;
using StrixOS.Memory;
using Xunit;

namespace StrixOS.Tests.Boot;

/// <summary>
/// Random raw maps and reserved ranges against the safety contract. In a small address space every frame is
/// compared with a frame-by-frame oracle; in the full 64-bit space the boundary frames and random frames of
/// each region are checked.
/// </summary>
public class MemoryMapNormalizerPropertyTests
{
    private const ulong Frame = MemoryMapOracle.Frame;
    private const int SmallSpaceFrames = 48;

    private static readonly Gen<MemoryRegionType> AnyType = Gen.Enum<MemoryRegionType>();

    // Types the kernel passes as reserved ranges (anything but Usable).
    private static readonly Gen<MemoryRegionType> ReservedType = AnyType.Where(t => t != MemoryRegionType.Usable);

    // Usable half of the time so that usable memory is common, the rest spread over all types.
    private static readonly Gen<MemoryRegionType> FirmwareType =
        Gen.Frequency((3, Gen.Const(MemoryRegionType.Usable)), (2, AnyType));

    /// <summary>Addresses in a few frames, biased towards frame boundaries and just around them.</summary>
    private static readonly Gen<ulong> SmallAddress =
        Gen.Frequency(
            (2, Gen.ULong[0, SmallSpaceFrames].Select(f => f * Frame)),
            (1, Gen.ULong[0, SmallSpaceFrames * Frame]),
            (1, Gen.ULong[1, SmallSpaceFrames].Select(f => f * Frame - 1)));

    private static Gen<MemoryRegion> SmallRegion(Gen<MemoryRegionType> types) =>
        Gen.Select(SmallAddress, SmallAddress, types, (a, b, t) => new MemoryRegion(Math.Min(a, b), Math.Max(a, b), t));

    private static readonly Gen<ulong> SmallLimit =
        Gen.Frequency((3, Gen.Const(MemoryMapNormalizer.MaxPhysicalAddress)), (1, Gen.ULong[1, SmallSpaceFrames].Select(f => f * Frame)));

    [Fact]
    public void InASmallSpaceEveryFrameMatchesTheOracle()
    {
        Gen.Select(SmallRegion(FirmwareType).Array[0, 14], SmallRegion(ReservedType).Array[0, 4], SmallLimit)
            .Sample((firmware, reserved, limit) =>
            {
                Result<MemoryMap, MemoryMapError> normalized = MemoryMapNormalizer.Normalize(firmware, reserved, limit);
                Assert.True(normalized.IsOk, normalized.ToString());
                MemoryMap map = normalized.Value;
                MemoryMapOracle.AssertWellFormed(map, limit);
                for (ulong frame = 0; frame <= SmallSpaceFrames + 1; frame++)
                {
                    ulong address = frame * Frame;
                    MemoryRegionType? expected = MemoryMapOracle.ExpectedType(address, firmware, reserved, limit);
                    MemoryRegionType? actual = MemoryMapOracle.TypeAt(map, address);
                    Assert.True(expected == actual, $"frame 0x{address:x}: expected {expected?.ToString() ?? "hole"}, got {actual?.ToString() ?? "hole"}");
                    if (actual == MemoryRegionType.Usable)
                        Assert.True(MemoryMapOracle.IsFree(address, firmware, reserved), $"frame 0x{address:x} is Usable but not free");
                }
            }, iter: 3000, threads: 1);
    }

    /// <summary>Any 64-bit address, biased towards frame boundaries, 0, and the 2^52 limit.</summary>
    private static readonly Gen<ulong> WideAddress =
        Gen.Frequency(
            (3, Gen.ULong[0, 1UL << 40].Select(a => a & ~(Frame - 1))),
            (2, Gen.ULong[0, 1UL << 40]),
            (1, Gen.ULong[(1UL << 52) - 0x10000, (1UL << 52) + 0x10000]),
            (1, Gen.ULong),
            (1, Gen.Const(0UL)));

    private static readonly Gen<ulong> WideLength =
        Gen.Frequency(
            (4, Gen.ULong[0, 1UL << 32]),
            (1, Gen.ULong[0, 3].Select(f => f * Frame)),
            (1, Gen.ULong),
            (1, Gen.Const(ulong.MaxValue)));

    private static Gen<MemoryRegion> WideRegion(Gen<MemoryRegionType> types) =>
        Gen.Select(WideAddress, WideLength, types,
            (start, length, t) => new MemoryRegion(start, length > ulong.MaxValue - start ? ulong.MaxValue : start + length, t));

    [Fact]
    public void InTheFullSpaceUsableFramesAreFreeAndFreeFramesStayUsable()
    {
        Gen.Select(WideRegion(FirmwareType).Array[0, 40], WideRegion(ReservedType).Array[0, 6], Gen.Int)
            .Sample((firmware, reserved, seed) =>
            {
                Result<MemoryMap, MemoryMapError> normalized = MemoryMapNormalizer.Normalize(firmware, reserved);
                Assert.True(normalized.IsOk, normalized.ToString());
                MemoryMap map = normalized.Value;
                MemoryMapOracle.AssertWellFormed(map);
                var random = new Random(seed);

                // Every Usable frame is free: first, last and a few interior frames of each Usable region.
                foreach (MemoryRegion region in map.Regions)
                {
                    if (region.Type != MemoryRegionType.Usable)
                        continue;
                    ulong frames = region.Size / Frame;
                    AssertFree(region.Start);
                    AssertFree(region.End - Frame);
                    for (int i = 0; i < 4; i++)
                        AssertFree(region.Start + (ulong)random.NextInt64(0, (long)frames) * Frame);
                }

                // No free frame is lost: frames at the edges of, and inside, each raw Usable entry.
                foreach (MemoryRegion raw in firmware)
                {
                    if (raw.Type != MemoryRegionType.Usable || raw.Start >= raw.End || raw.Start >= MemoryMapNormalizer.MaxPhysicalAddress)
                        continue;
                    ulong first = (raw.Start + Frame - 1) & ~(Frame - 1);
                    ulong end = Math.Min(raw.End, MemoryMapNormalizer.MaxPhysicalAddress);
                    if (end - Math.Min(end, first) < Frame)
                        continue;
                    ulong last = (end & ~(Frame - 1)) - Frame;
                    AssertNotLost(first);
                    AssertNotLost(last);
                    AssertNotLost(first + (ulong)random.NextInt64(0, (long)((last - first) / Frame + 1)) * Frame);
                }

                void AssertFree(ulong frame) =>
                    Assert.True(MemoryMapOracle.IsFree(frame, firmware, reserved), $"Usable frame 0x{frame:x} is not free in the input");

                void AssertNotLost(ulong frame)
                {
                    if (MemoryMapOracle.IsFree(frame, firmware, reserved))
                        Assert.True(MemoryMapOracle.TypeAt(map, frame) == MemoryRegionType.Usable, $"free frame 0x{frame:x} was lost");
                }
            }, iter: 2000, threads: 1);
    }

    [Fact]
    public void NormalisingANormalisedMapChangesNothing()
    {
        Gen.Select(SmallRegion(FirmwareType).Array[0, 14], SmallRegion(ReservedType).Array[0, 4])
            .Sample((firmware, reserved) =>
            {
                MemoryMap once = MemoryMapNormalizer.Normalize(firmware, reserved).Value;
                MemoryMap twice = MemoryMapNormalizer.Normalize(once.Regions, ReadOnlySpan<MemoryRegion>.Empty).Value;
                Assert.Equal(once.Regions.ToArray(), twice.Regions.ToArray());
            }, iter: 1000, threads: 1);
    }
}
