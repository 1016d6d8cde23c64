using System;
using System.Runtime.CompilerServices;

namespace StrixOS.Memory;

/// <summary>A physical address: at most 52 bits, the x86-64 architectural limit.</summary>
public readonly struct PhysAddr : IEquatable<PhysAddr>, IComparable<PhysAddr>
{
    public const int Bits = 52;
    /// <summary>The first address that does not fit in 52 bits.</summary>
    public const ulong Limit = 1UL << Bits;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private PhysAddr(ulong value) => Value = value;

    public ulong Value { get; }

    public static PhysAddr Zero => default;

    public static Result<PhysAddr, AddressError> TryNew(ulong value)
        => value < Limit ? new PhysAddr(value) : AddressError.BeyondPhysicalLimit;

    /// <summary>Drops the bits above bit 51: an explicit, lossy conversion.</summary>
    public static PhysAddr NewTruncate(ulong value) => new(value & (Limit - 1));

    /// <summary>For values already known to fit (masked page-table fields, checked arithmetic).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static PhysAddr NewUnchecked(ulong value) => new(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsAligned(ulong alignment) => (Value & (alignment - 1)) == 0;

    /// <param name="alignment">A power of two.</param>
    public PhysAddr AlignDown(ulong alignment) => new(Value & ~(alignment - 1));

    /// <summary>Adds a byte count; an error when the sum passes the 52-bit limit.</summary>
    public Result<PhysAddr, AddressError> TryAdd(ulong bytes)
        => bytes < Limit - Value ? new PhysAddr(Value + bytes) : AddressError.BeyondPhysicalLimit;

    public bool Equals(PhysAddr other) => Value == other.Value;
    public override bool Equals(object? obj) => obj is PhysAddr other && Equals(other);
    public override int GetHashCode() => Value.GetHashCode();
    public int CompareTo(PhysAddr other) => Value.CompareTo(other.Value);

    public static bool operator ==(PhysAddr left, PhysAddr right) => left.Value == right.Value;
    public static bool operator !=(PhysAddr left, PhysAddr right) => left.Value != right.Value;
    public static bool operator <(PhysAddr left, PhysAddr right) => left.Value < right.Value;
    public static bool operator >(PhysAddr left, PhysAddr right) => left.Value > right.Value;
    public static bool operator <=(PhysAddr left, PhysAddr right) => left.Value <= right.Value;
    public static bool operator >=(PhysAddr left, PhysAddr right) => left.Value >= right.Value;

    public override string ToString() => $"PhysAddr(0x{Value:X})";
}
