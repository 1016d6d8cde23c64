using System;
using System.Runtime.CompilerServices;

namespace StrixOS.Memory;

/// <summary>A page-sized, page-aligned block of physical memory: 4 KiB, 2 MiB or 1 GiB.</summary>
public readonly struct PhysFrame : IEquatable<PhysFrame>
{
    // The start address is at least 4 KiB aligned, so its low bits hold the size: one 8-byte word, which
    // keeps the mapper's results small enough to pass in registers.
    internal const ulong SizeBits = 0x3;

    private readonly ulong _bits;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private PhysFrame(PhysAddr start, PageSize size) => _bits = start.Value | (ulong)size;

    public PhysAddr StartAddress
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => PhysAddr.NewUnchecked(_bits & ~SizeBits);
    }

    /// <summary>The start address with the size in bits 0..1, as stored: for the mapper, whose walks take the
    /// table indices from bits 12 and up and whose size checks compare the low bits of two words.</summary>
    internal ulong Bits
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _bits;
    }

    public PageSize Size
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (PageSize)(_bits & SizeBits);
    }

    public ulong SizeInBytes => Size.Bytes();

    public static Result<PhysFrame, AddressError> TryFromStartAddress(PhysAddr start, PageSize size)
    {
        if (!size.IsDefined())
            return AddressError.InvalidPageSize;
        if (!start.IsAligned(size.Bytes()))
            return AddressError.NotAligned;
        return new PhysFrame(start, size);
    }

    /// <summary>The 4 KiB frame starting at <paramref name="start"/>: the common case.</summary>
    public static Result<PhysFrame, AddressError> TryFromStartAddress(PhysAddr start)
        => TryFromStartAddress(start, PageSize.Size4KiB);

    /// <summary>The frame of <paramref name="size"/> that holds <paramref name="address"/>.</summary>
    public static Result<PhysFrame, AddressError> TryContainingAddress(PhysAddr address, PageSize size)
        => size.IsDefined() ? new PhysFrame(address.AlignDown(size.Bytes()), size) : AddressError.InvalidPageSize;

    /// <summary>The 4 KiB frame that holds <paramref name="address"/>.</summary>
    public static PhysFrame ContainingAddress(PhysAddr address) => new(address.AlignDown(PageSizeExtensions.Bytes4KiB), PageSize.Size4KiB);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static PhysFrame NewUnchecked(ulong start, PageSize size) => new(PhysAddr.NewUnchecked(start), size);

    /// <summary>The frames from <paramref name="start"/> up to, not including, <paramref name="end"/>.</summary>
    public static Result<PhysFrameRange, AddressError> Range(PhysFrame start, PhysFrame end)
    {
        if (start.Size != end.Size)
            return AddressError.SizeMismatch;
        if (end.StartAddress < start.StartAddress)
            return AddressError.InvalidRange;
        return PhysFrameRange.NewUnchecked(start, (end.StartAddress.Value - start.StartAddress.Value) >> start.Size.Shift());
    }

    /// <summary>The frames from <paramref name="start"/> through <paramref name="last"/>.</summary>
    public static Result<PhysFrameRange, AddressError> RangeInclusive(PhysFrame start, PhysFrame last)
    {
        if (start.Size != last.Size)
            return AddressError.SizeMismatch;
        if (last.StartAddress < start.StartAddress)
            return AddressError.InvalidRange;
        return PhysFrameRange.NewUnchecked(start, ((last.StartAddress.Value - start.StartAddress.Value) >> start.Size.Shift()) + 1);
    }

    public bool Equals(PhysFrame other) => _bits == other._bits;
    public override bool Equals(object? obj) => obj is PhysFrame other && Equals(other);
    public override int GetHashCode() => _bits.GetHashCode();
    public static bool operator ==(PhysFrame left, PhysFrame right) => left.Equals(right);
    public static bool operator !=(PhysFrame left, PhysFrame right) => !left.Equals(right);

    public override string ToString() => $"PhysFrame[{Size.Name()}](0x{StartAddress.Value:X})";
}
