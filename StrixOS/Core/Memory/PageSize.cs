using System.Runtime.CompilerServices;

namespace StrixOS.Memory;

/// <summary>The three x86-64 page sizes. The default value is 4 KiB, so a default <see cref="Page"/> is valid.</summary>
public enum PageSize : byte
{
    Size4KiB = 0,
    Size2MiB = 1,
    Size1GiB = 2,
}

public static class PageSizeExtensions
{
    public const ulong Bytes4KiB = 4096;
    public const ulong Bytes2MiB = 2 * 1024 * 1024;
    public const ulong Bytes1GiB = 1024 * 1024 * 1024;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsDefined(this PageSize size) => (byte)size <= (byte)PageSize.Size1GiB;

    /// <summary>Size in bytes (4 KiB, 2 MiB or 1 GiB). Only meaningful for defined sizes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Bytes(this PageSize size) => 1UL << size.Shift();

    /// <summary>log2 of the size in bytes: 12, 21 or 30.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Shift(this PageSize size) => 12 + 9 * (byte)size;

    /// <summary>The table level holding leaf entries of this size: P1, P2 or P3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static PageTableLevel LeafLevel(this PageSize size) => (PageTableLevel)((byte)size + 1);

    public static string Name(this PageSize size) => size switch
    {
        PageSize.Size4KiB => "4KiB",
        PageSize.Size2MiB => "2MiB",
        PageSize.Size1GiB => "1GiB",
        _ => "invalid",
    };
}
