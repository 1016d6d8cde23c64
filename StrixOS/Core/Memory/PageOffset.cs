using System;

namespace StrixOS.Memory;

/// <summary>The offset of an address inside its 4 KiB page: 0..4095 (the low 12 bits).</summary>
public readonly struct PageOffset : IEquatable<PageOffset>
{
    public const int Count = 4096;

    private PageOffset(ushort value) => Value = value;

    public ushort Value { get; }

    public static Result<PageOffset, AddressError> TryNew(int value)
        => (uint)value < Count ? new PageOffset((ushort)value) : AddressError.OutOfRange;

    /// <summary>Keeps the low 12 bits.</summary>
    public static PageOffset NewTruncate(ushort value) => new((ushort)(value % Count));

    public bool Equals(PageOffset other) => Value == other.Value;
    public override bool Equals(object? obj) => obj is PageOffset other && Equals(other);
    public override int GetHashCode() => Value;
    public static bool operator ==(PageOffset left, PageOffset right) => left.Value == right.Value;
    public static bool operator !=(PageOffset left, PageOffset right) => left.Value != right.Value;

    public override string ToString() => Value.ToString();
}
