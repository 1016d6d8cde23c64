using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
/// <remarks>Twelve bytes: the leaf entry as the tables hold it (frame address and flags in one word), and the
/// offset (below 1 GiB, so 30 bits) with the frame's size in the top 2 bits. A
/// <c>Result&lt;Translation, TranslateError&gt;</c> is then 16 bytes and comes back from
/// <see cref="OffsetPageTable.Translate"/> in two registers instead of through memory (the x86-64 System V
/// rule: larger structs are returned through a hidden pointer).</remarks>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
public readonly struct Translation
{
    private const int SizeShift = 30;
    private const uint OffsetBits = (1u << SizeShift) - 1;

    /// <summary>Frame address (bits 12..51) and flags (the other bits), as in a page-table entry.</summary>
    private readonly ulong _entry;
    /// <summary>Offset in the frame (bits 0..29) and the frame's <see cref="PageSize"/> (bits 30..31).</summary>
    private readonly uint _offsetAndSize;

    /// <summary>A translation to <paramref name="offset"/> (below the frame's size) in <paramref name="frame"/>;
    /// the address bits of <paramref name="flags"/> are ignored.</summary>
    public Translation(PhysFrame frame, ulong offset, PageTableFlags flags)
    {
        if (offset >= frame.SizeInBytes)
            throw new ArgumentOutOfRangeException(nameof(offset), "the offset is not inside the frame");
        _entry = frame.StartAddress.Value | ((ulong)flags & ~PageTableEntry.AddressMask);
        _offsetAndSize = (uint)offset | ((uint)frame.Size << SizeShift);
    }

    /// <summary>The translation by the present leaf <paramref name="leafEntry"/> of a page of <paramref name="size"/>
    /// whose frame address is aligned to that size; <paramref name="offset"/> is below the size.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Translation(ulong leafEntry, uint offset, PageSize size)
    {
        _entry = leafEntry;
        _offsetAndSize = offset | ((uint)size << SizeShift);
    }

    public PhysFrame Frame
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => PhysFrame.NewUnchecked(_entry & PageTableEntry.AddressMask, (PageSize)(_offsetAndSize >> SizeShift));
    }

    /// <summary>Offset of the address inside <see cref="Frame"/> (below its size).</summary>
    public ulong Offset
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _offsetAndSize & OffsetBits;
    }

    public PageTableFlags Flags
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (PageTableFlags)(_entry & ~PageTableEntry.AddressMask);
    }

    public PhysAddr Address => PhysAddr.NewUnchecked((_entry & PageTableEntry.AddressMask) + Offset);

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
