using System.Runtime.CompilerServices;
using StrixOS.Memory;
using Xunit;

namespace StrixOS.Tests.Memory;

/// <summary>MapError packs kind, frame size and a 40-bit frame number into six bytes (docs/memory.md).</summary>
public class MapErrorTests
{
    private const ulong HighestFrame = PhysAddr.Limit - PageSizeExtensions.Bytes1GiB;

    [Theory]
    [InlineData(0UL, PageSize.Size4KiB)]
    [InlineData(0x1000UL, PageSize.Size4KiB)]
    [InlineData(PhysAddr.Limit - PageSizeExtensions.Bytes4KiB, PageSize.Size4KiB)]
    [InlineData(PhysAddr.Limit - PageSizeExtensions.Bytes2MiB, PageSize.Size2MiB)]
    [InlineData(HighestFrame, PageSize.Size1GiB)]
    public void AlreadyMappedKeepsTheWholeFrame(ulong start, PageSize size)
    {
        PhysFrame frame = PhysFrame.TryFromStartAddress(PhysAddr.TryNew(start).Value, size).Value;
        MapError error = MapError.AlreadyMapped(frame);
        Assert.Equal(MapErrorKind.PageAlreadyMapped, error.Kind);
        Assert.Equal(frame, error.Frame);
        Assert.Equal(default, error.Address);
    }

    [Theory]
    [InlineData(0x1000UL)]
    [InlineData(0x000F_FFFF_FFFF_F000UL)]
    [InlineData(0x0005_5555_5555_5000UL)]
    public void InvalidFrameAddressKeepsTheAddress(ulong address)
    {
        MapError error = MapError.InvalidFrameAddress(PhysAddr.TryNew(address).Value);
        Assert.Equal(MapErrorKind.InvalidFrameAddress, error.Kind);
        Assert.Equal(address, error.Address.Value);
        Assert.Equal(default, error.Frame);
    }

    [Fact]
    public void EveryKindSurvives()
    {
        for (MapErrorKind kind = MapErrorKind.FrameAllocationFailed; kind <= MapErrorKind.RangeOutOfBounds; kind++)
            Assert.Equal(kind, MapError.Of(kind).Kind);
    }

    /// <summary>Results with an 8-byte value stay at 16 bytes: the System V ABI returns them in two registers.</summary>
    [Fact]
    public void MapperResultsFitInTwoRegisters()
    {
        Assert.Equal(6, Unsafe.SizeOf<MapError>());
        Assert.Equal(16, Unsafe.SizeOf<Result<Page, MapError>>());
        Assert.Equal(16, Unsafe.SizeOf<Result<PhysFrame, MapError>>());
        Assert.Equal(16, Unsafe.SizeOf<Result<PageTableFlags, MapError>>());
    }
}
