using System;

namespace StrixOS.Memory;

/// <summary>An index into a page table: 0..511 (9 bits of a virtual address).</summary>
public readonly struct PageTableIndex : IEquatable<PageTableIndex>
{
    public const int Count = 512;

    private PageTableIndex(ushort value) => Value = value;

    public ushort Value { get; }

    public static Result<PageTableIndex, AddressError> TryNew(int value)
        => (uint)value < Count ? new PageTableIndex((ushort)value) : AddressError.OutOfRange;

    /// <summary>Keeps the low 9 bits.</summary>
    public static PageTableIndex NewTruncate(ushort value) => new((ushort)(value % Count));

    public bool Equals(PageTableIndex other) => Value == other.Value;
    public override bool Equals(object? obj) => obj is PageTableIndex other && Equals(other);
    public override int GetHashCode() => Value;
    public static bool operator ==(PageTableIndex left, PageTableIndex right) => left.Value == right.Value;
    public static bool operator !=(PageTableIndex left, PageTableIndex right) => left.Value != right.Value;

    public override string ToString() => Value.ToString();
}
