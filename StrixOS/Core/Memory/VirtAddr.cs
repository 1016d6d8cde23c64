using System;
using System.Runtime.CompilerServices;

namespace StrixOS.Memory;

/// <summary>
/// A canonical 48-bit virtual address: bits 48..63 are copies of bit 47, so the usable space is two halves
/// with a hole between them. How the MMU splits one (4-level paging):
/// <code>
///  63      48 47     39 38     30 29     21 20     12 11         0
/// [sign ext. | P4 idx  | P3 idx  | P2 idx  | P1 idx  | page offset ]
///              9 bits    9 bits    9 bits    9 bits     12 bits
/// </code>
/// </summary>
public readonly struct VirtAddr : IEquatable<VirtAddr>, IComparable<VirtAddr>
{
    /// <summary>First address past the lower half (non-canonical).</summary>
    public const ulong LowerHalfEnd = 0x0000_8000_0000_0000;
    /// <summary>First address of the upper half.</summary>
    public const ulong UpperHalfStart = 0xFFFF_8000_0000_0000;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private VirtAddr(ulong value) => Value = value;

    public ulong Value { get; }

    public static VirtAddr Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsCanonical(ulong value) => SignExtend(value) == value;

    /// <summary>Copies bit 47 into bits 48..63, discarding what they held.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong SignExtend(ulong value) => (ulong)((long)(value << 16) >> 16);

    public static Result<VirtAddr, AddressError> TryNew(ulong value)
        => IsCanonical(value) ? new VirtAddr(value) : AddressError.NotCanonical;

    /// <summary>Makes any value canonical by sign extension: an explicit, lossy conversion.</summary>
    public static VirtAddr NewTruncate(ulong value) => new(SignExtend(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static VirtAddr NewUnchecked(ulong value) => new(value);

    /// <summary>The address with the given table indexes and offset (sign-extended, so always canonical).</summary>
    public static VirtAddr FromIndexes(PageTableIndex p4, PageTableIndex p3, PageTableIndex p2, PageTableIndex p1, PageOffset offset)
        => NewTruncate(((ulong)p4.Value << 39) | ((ulong)p3.Value << 30) | ((ulong)p2.Value << 21) | ((ulong)p1.Value << 12) | offset.Value);

    public bool IsLowerHalf => Value < LowerHalfEnd;

    public PageOffset PageOffset => PageOffset.NewTruncate((ushort)Value);
    public PageTableIndex P1Index => Index(PageTableLevel.One);
    public PageTableIndex P2Index => Index(PageTableLevel.Two);
    public PageTableIndex P3Index => Index(PageTableLevel.Three);
    public PageTableIndex P4Index => Index(PageTableLevel.Four);

    /// <summary>The index into the table of <paramref name="level"/> that translates this address.</summary>
    public PageTableIndex Index(PageTableLevel level)
        => PageTableIndex.NewTruncate((ushort)level.IndexOf(Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsAligned(ulong alignment) => (Value & (alignment - 1)) == 0;

    /// <param name="alignment">A power of two; the result stays canonical.</param>
    public VirtAddr AlignDown(ulong alignment) => new(Value & ~(alignment - 1));

    /// <summary>Adds a byte count; an error when the sum leaves this address's half of the address space.</summary>
    public Result<VirtAddr, AddressError> TryAdd(ulong bytes)
    {
        ulong end = IsLowerHalf ? LowerHalfEnd : 0;
        // Room left in this half: up to LowerHalfEnd, or up to 2^64 (wrapping to 0) in the upper half.
        ulong room = end - Value;
        return bytes < room ? new VirtAddr(Value + bytes) : AddressError.NotCanonical;
    }

    public bool Equals(VirtAddr other) => Value == other.Value;
    public override bool Equals(object? obj) => obj is VirtAddr other && Equals(other);
    public override int GetHashCode() => Value.GetHashCode();
    public int CompareTo(VirtAddr other) => Value.CompareTo(other.Value);

    public static bool operator ==(VirtAddr left, VirtAddr right) => left.Value == right.Value;
    public static bool operator !=(VirtAddr left, VirtAddr right) => left.Value != right.Value;
    public static bool operator <(VirtAddr left, VirtAddr right) => left.Value < right.Value;
    public static bool operator >(VirtAddr left, VirtAddr right) => left.Value > right.Value;
    public static bool operator <=(VirtAddr left, VirtAddr right) => left.Value <= right.Value;
    public static bool operator >=(VirtAddr left, VirtAddr right) => left.Value >= right.Value;

    public override string ToString() => $"VirtAddr(0x{Value:X})";
}
