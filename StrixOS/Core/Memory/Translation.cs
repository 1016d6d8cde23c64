using System.Runtime.CompilerServices;

namespace StrixOS.Memory;

/// <summary>Why <see cref="OffsetPageTable.Translate"/> found no frame.</summary>
public enum TranslateError : byte
{
    /// <summary>An entry on the walk is not present.</summary>
    NotMapped,
    /// <summary>A huge-page entry holds an address not aligned to its page size.</summary>
    InvalidFrameAddress,
}

/// <summary>Where a virtual address is mapped: the frame (with its size), the offset in it and the leaf flags.</summary>
public readonly struct Translation
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Translation(PhysFrame frame, ulong offset, PageTableFlags flags)
    {
        Frame = frame;
        Offset = offset;
        Flags = flags;
    }

    public PhysFrame Frame { get; }
    /// <summary>Offset of the address inside <see cref="Frame"/> (below its size).</summary>
    public ulong Offset { get; }
    public PageTableFlags Flags { get; }
    public PhysAddr Address => PhysAddr.NewUnchecked(Frame.StartAddress.Value + Offset);

    public override string ToString() => $"{Frame} + 0x{Offset:X} ({Flags})";
}

public static class TranslateErrorExtensions
{
    /// <summary>A sentence for a report or panic message (enum names are not available in the kernel: no reflection).</summary>
    public static string Describe(this TranslateError error) => error switch
    {
        TranslateError.NotMapped => "the address is not mapped",
        TranslateError.InvalidFrameAddress => "a huge-page entry holds an address not aligned to its page size",
        _ => "unknown translation error",
    };
}
