using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StrixOS.Memory;

/// <summary>What went wrong in an <see cref="OffsetPageTable"/> operation. A failed operation changed nothing.</summary>
public enum MapErrorKind : byte
{
    /// <summary>The frame allocator cannot supply the page tables the operation needs.</summary>
    FrameAllocationFailed,
    /// <summary>An entry on the way down maps a huge page, so there is no lower table to use.</summary>
    ParentEntryHugePage,
    /// <summary>The page (or part of it) is already mapped; <see cref="MapError.Frame"/> is the frame mapped there.</summary>
    PageAlreadyMapped,
    /// <summary>The page is not mapped (at the given size), or the addressed entry is not present.</summary>
    PageNotMapped,
    /// <summary>A huge-page entry holds an address not aligned to its page size; <see cref="MapError.Address"/>.</summary>
    InvalidFrameAddress,
    /// <summary>The entry a huge page needs points to a lower-level table that maps nothing
    /// (<see cref="OffsetPageTable.CleanUp"/> frees such tables).</summary>
    PageTableInTheWay,
    /// <summary>A page and a frame of different sizes.</summary>
    PageSizeMismatch,
    /// <summary>A range start or length is not a multiple of 4 KiB.</summary>
    RangeNotAligned,
    /// <summary>A range leaves its half of the virtual address space or passes the 52-bit physical limit.</summary>
    RangeOutOfBounds,
}

/// <summary>An <see cref="OffsetPageTable"/> error: the kind, plus the frame or address it concerns.</summary>
/// <remarks>Six bytes: a frame or address is 4 KiB aligned and below 2^52, so its frame number (40 bits), the
/// kind (4 bits) and the frame size (2 bits) fit in 48. A mapper result with an 8-byte value
/// (<c>Result&lt;Page, MapError&gt;</c>: value, error, flag) is then 16 bytes and comes back in two registers
/// instead of through memory (the x86-64 System V rule: larger structs are returned through a hidden pointer).</remarks>
[StructLayout(LayoutKind.Sequential, Pack = 2)]
public readonly struct MapError
{
    private const ulong KindBits = 0xF;
    private const int SizeShift = 4;
    private const int FrameNumberShift = 6;

    // The 48-bit word, low and high part (a ulong would make the struct 8 bytes and the result 24).
    private readonly uint _low;
    private readonly ushort _high;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private MapError(MapErrorKind kind, ulong payload, PageSize size)
    {
        ulong bits = ((payload & PageTableEntry.AddressMask) >> (12 - FrameNumberShift)) | ((ulong)size << SizeShift) | (ulong)kind;
        _low = (uint)bits;
        _high = (ushort)(bits >> 32);
    }

    private ulong Bits
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _low | ((ulong)_high << 32);
    }

    private ulong Payload => (Bits >> FrameNumberShift) << 12;

    public MapErrorKind Kind
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (MapErrorKind)(_low & KindBits);
    }

    /// <summary>For <see cref="MapErrorKind.PageAlreadyMapped"/>: the frame that is mapped.</summary>
    public PhysFrame Frame => Kind == MapErrorKind.PageAlreadyMapped
        ? PhysFrame.NewUnchecked(Payload, (PageSize)((_low >> SizeShift) & 0x3))
        : default;

    /// <summary>For <see cref="MapErrorKind.InvalidFrameAddress"/>: the misaligned address.</summary>
    public PhysAddr Address => Kind == MapErrorKind.InvalidFrameAddress ? PhysAddr.NewUnchecked(Payload) : default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static MapError Of(MapErrorKind kind) => new(kind, 0, default);
    public static MapError FrameAllocationFailed => Of(MapErrorKind.FrameAllocationFailed);
    public static MapError ParentEntryHugePage => Of(MapErrorKind.ParentEntryHugePage);
    public static MapError PageNotMapped => Of(MapErrorKind.PageNotMapped);
    public static MapError PageTableInTheWay => Of(MapErrorKind.PageTableInTheWay);
    public static MapError PageSizeMismatch => Of(MapErrorKind.PageSizeMismatch);
    public static MapError RangeNotAligned => Of(MapErrorKind.RangeNotAligned);
    public static MapError RangeOutOfBounds => Of(MapErrorKind.RangeOutOfBounds);
    public static MapError AlreadyMapped(PhysFrame mappedFrame) => new(MapErrorKind.PageAlreadyMapped, mappedFrame.StartAddress.Value, mappedFrame.Size);
    /// <summary>A huge-page entry's address (bits 12..51 of an entry, so whole 4 KiB frames).</summary>
    public static MapError InvalidFrameAddress(PhysAddr address) => new(MapErrorKind.InvalidFrameAddress, address.Value, default);

    /// <summary>A sentence for a report or panic message: the kind's, plus the frame or address it concerns.</summary>
    public string Describe() => Kind switch
    {
        MapErrorKind.PageAlreadyMapped => Kind.Describe() + " (to " + Frame.ToString() + ")",
        MapErrorKind.InvalidFrameAddress => Kind.Describe() + " (" + Address.ToString() + ")",
        _ => Kind.Describe(),
    };

    /// <summary>Names spelled out: the kernel is built without reflection metadata for enum names.</summary>
    public override string ToString() => Kind switch
    {
        MapErrorKind.FrameAllocationFailed => "FrameAllocationFailed",
        MapErrorKind.ParentEntryHugePage => "ParentEntryHugePage",
        MapErrorKind.PageAlreadyMapped => "PageAlreadyMapped(" + Frame.ToString() + ")",
        MapErrorKind.PageNotMapped => "PageNotMapped",
        MapErrorKind.InvalidFrameAddress => "InvalidFrameAddress(" + Address.ToString() + ")",
        MapErrorKind.PageTableInTheWay => "PageTableInTheWay",
        MapErrorKind.PageSizeMismatch => "PageSizeMismatch",
        MapErrorKind.RangeNotAligned => "RangeNotAligned",
        MapErrorKind.RangeOutOfBounds => "RangeOutOfBounds",
        _ => "MapError " + ((int)Kind).ToString(),
    };
}

public static class MapErrorKindExtensions
{
    /// <summary>A sentence for a report or panic message (enum names are not available in the kernel: no reflection).</summary>
    public static string Describe(this MapErrorKind kind) => kind switch
    {
        MapErrorKind.FrameAllocationFailed => "the frame allocator cannot supply the page tables needed",
        MapErrorKind.ParentEntryHugePage => "an entry on the way down maps a huge page",
        MapErrorKind.PageAlreadyMapped => "the page is already mapped",
        MapErrorKind.PageNotMapped => "the page is not mapped",
        MapErrorKind.InvalidFrameAddress => "a huge-page entry holds an address not aligned to its page size",
        MapErrorKind.PageTableInTheWay => "an empty lower-level table occupies the huge page's entry",
        MapErrorKind.PageSizeMismatch => "the page and the frame differ in size",
        MapErrorKind.RangeNotAligned => "the range start or length is not a multiple of 4 KiB",
        MapErrorKind.RangeOutOfBounds => "the range leaves its half of the address space or passes 2^52",
        _ => "unknown mapping error",
    };
}
