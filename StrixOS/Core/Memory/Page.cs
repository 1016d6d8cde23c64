using System;
using System.Runtime.CompilerServices;

namespace StrixOS.Memory;

/// <summary>A page-sized, page-aligned block of virtual memory: 4 KiB, 2 MiB or 1 GiB.</summary>
public readonly struct Page : IEquatable<Page>
{
    // The start address is at least 4 KiB aligned, so its low bits hold the size: one 8-byte word, which
    // keeps the mapper's results small enough to pass in registers.
    internal const ulong SizeBits = 0x3;

    private readonly ulong _bits;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Page(VirtAddr start, PageSize size) => _bits = start.Value | (ulong)size;

    public VirtAddr StartAddress
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => VirtAddr.NewUnchecked(_bits & ~SizeBits);
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

    public PageTableIndex P4Index => StartAddress.P4Index;
    public PageTableIndex P3Index => StartAddress.P3Index;
    /// <summary>Meaningful for 2 MiB and 4 KiB pages.</summary>
    public PageTableIndex P2Index => StartAddress.P2Index;
    /// <summary>Meaningful for 4 KiB pages.</summary>
    public PageTableIndex P1Index => StartAddress.P1Index;

    public static Result<Page, AddressError> TryFromStartAddress(VirtAddr start, PageSize size)
    {
        if (!size.IsDefined())
            return AddressError.InvalidPageSize;
        if (!start.IsAligned(size.Bytes()))
            return AddressError.NotAligned;
        return new Page(start, size);
    }

    /// <summary>The 4 KiB page starting at <paramref name="start"/>: the common case.</summary>
    public static Result<Page, AddressError> TryFromStartAddress(VirtAddr start) => TryFromStartAddress(start, PageSize.Size4KiB);

    /// <summary>The page of <paramref name="size"/> that holds <paramref name="address"/>.</summary>
    public static Result<Page, AddressError> TryContainingAddress(VirtAddr address, PageSize size)
        => size.IsDefined() ? new Page(address.AlignDown(size.Bytes()), size) : AddressError.InvalidPageSize;

    /// <summary>The 4 KiB page that holds <paramref name="address"/>.</summary>
    public static Page ContainingAddress(VirtAddr address) => new(address.AlignDown(PageSizeExtensions.Bytes4KiB), PageSize.Size4KiB);

    /// <summary>The 4 KiB page with these table indexes.</summary>
    public static Page FromIndexes(PageTableIndex p4, PageTableIndex p3, PageTableIndex p2, PageTableIndex p1)
        => new(VirtAddr.FromIndexes(p4, p3, p2, p1, default), PageSize.Size4KiB);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Page NewUnchecked(ulong start, PageSize size) => new(VirtAddr.NewUnchecked(start), size);

    /// <summary>The pages from <paramref name="start"/> up to, not including, <paramref name="end"/> (same half).</summary>
    public static Result<PageRange, AddressError> Range(Page start, Page end)
    {
        if (start.Size != end.Size)
            return AddressError.SizeMismatch;
        if (end.StartAddress < start.StartAddress || start.StartAddress.IsLowerHalf != end.StartAddress.IsLowerHalf)
            return AddressError.InvalidRange;
        return PageRange.NewUnchecked(start, (end.StartAddress.Value - start.StartAddress.Value) >> start.Size.Shift());
    }

    /// <summary>The pages from <paramref name="start"/> through <paramref name="last"/> (same half).</summary>
    public static Result<PageRange, AddressError> RangeInclusive(Page start, Page last)
    {
        if (start.Size != last.Size)
            return AddressError.SizeMismatch;
        if (last.StartAddress < start.StartAddress || start.StartAddress.IsLowerHalf != last.StartAddress.IsLowerHalf)
            return AddressError.InvalidRange;
        return PageRange.NewUnchecked(start, ((last.StartAddress.Value - start.StartAddress.Value) >> start.Size.Shift()) + 1);
    }

    public bool Equals(Page other) => _bits == other._bits;
    public override bool Equals(object? obj) => obj is Page other && Equals(other);
    public override int GetHashCode() => _bits.GetHashCode();
    public static bool operator ==(Page left, Page right) => left.Equals(right);
    public static bool operator !=(Page left, Page right) => !left.Equals(right);

    public override string ToString() => $"Page[{Size.Name()}](0x{StartAddress.Value:X})";
}
