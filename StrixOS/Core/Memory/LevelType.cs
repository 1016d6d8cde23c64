using System.Runtime.CompilerServices;

namespace StrixOS.Memory;

/// <summary>
/// A page-table level as a type, for code the compiler should specialise per level: a generic method over
/// <c>TLevel : struct, ILevelType</c> gets its own machine code for each level (NativeAOT and the JIT compile
/// value-type instantiations separately), in which <see cref="Level"/> is a constant. The single-address
/// operations of <see cref="OffsetPageTable"/> use it so that the walk down to the page's level is
/// straight-line code with constant shifts instead of a loop over levels.
/// </summary>
internal interface ILevelType
{
    static abstract PageTableLevel Level { get; }
}

/// <summary>Level 1: the P1 table, whose entries map 4 KiB pages.</summary>
internal readonly struct LevelOne : ILevelType
{
    public static PageTableLevel Level
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => PageTableLevel.One;
    }
}

/// <summary>Level 2: the P2 table, whose huge entries map 2 MiB pages.</summary>
internal readonly struct LevelTwo : ILevelType
{
    public static PageTableLevel Level
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => PageTableLevel.Two;
    }
}

/// <summary>Level 3: the P3 table, whose huge entries map 1 GiB pages.</summary>
internal readonly struct LevelThree : ILevelType
{
    public static PageTableLevel Level
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => PageTableLevel.Three;
    }
}

/// <summary>Level 4: the P4 table (CR3).</summary>
internal readonly struct LevelFour : ILevelType
{
    public static PageTableLevel Level
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => PageTableLevel.Four;
    }
}
