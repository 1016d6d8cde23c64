namespace StrixOS.Memory;

/// <summary>Why an <see cref="AddressSpace"/> or <see cref="AddressSpaceManager"/> operation refused. A refused
/// operation changed nothing.</summary>
public enum AddressSpaceError : byte
{
    /// <summary>The address space was disposed: its tables and frames belong to someone else now.</summary>
    Disposed,
    /// <summary>The address is in the kernel half (P4 entries 256-511), which address spaces share and never change.</summary>
    KernelAddress,
    /// <summary>No frame for the page, its page tables or the level-4 table.</summary>
    OutOfFrames,
    /// <summary>The page is already mapped.</summary>
    AlreadyMapped,
    /// <summary>The page is not mapped (at that size).</summary>
    NotMapped,
    /// <summary>An entry on the walk maps a huge page, so no page of this size can live below it.</summary>
    HugePageInTheWay,
    /// <summary>The page and frame differ in size, or <see cref="AddressSpace.Map"/> was asked for a huge page
    /// (it allocates 4 KiB frames; map huge frames with <see cref="AddressSpace.MapFrame"/>).</summary>
    UnsupportedPageSize,
    /// <summary>A page-table entry holds an address not aligned to its page size.</summary>
    InvalidFrameAddress,
    /// <summary>A huge page's entry holds an empty lower-level table left by unmapping:
    /// <see cref="AddressSpace.ReleaseEmptyTables"/> frees it.</summary>
    TableInTheWay,
    /// <summary>The address space is the one in CR3: activate another (or the kernel's) before disposing it.</summary>
    StillActive,
    /// <summary>A kernel-half level-4 entry is user accessible; sharing it would open the kernel to user mode.</summary>
    KernelEntryUserAccessible,
    /// <summary>A range start or length is not a multiple of 4 KiB.</summary>
    RangeNotAligned,
    /// <summary>A range leaves the lower half or passes the 52-bit physical limit.</summary>
    RangeOutOfBounds,
    /// <summary>Another <see cref="AddressSpaceManager"/> already shares this kernel table's kernel half: the
    /// table reports its new kernel-half entries to one manager only.</summary>
    KernelHalfAlreadyShared,
}

public static class AddressSpaceErrorExtensions
{
    /// <summary>
    /// The address-space error for a page-table error, one for each kind: nothing is folded into another
    /// error. An undefined kind is a bug, not an error value.
    /// </summary>
    public static AddressSpaceError ToAddressSpaceError(this MapErrorKind kind) => kind switch
    {
        MapErrorKind.FrameAllocationFailed => AddressSpaceError.OutOfFrames,
        MapErrorKind.PageAlreadyMapped => AddressSpaceError.AlreadyMapped,
        MapErrorKind.PageTableInTheWay => AddressSpaceError.TableInTheWay,
        MapErrorKind.PageNotMapped => AddressSpaceError.NotMapped,
        MapErrorKind.ParentEntryHugePage => AddressSpaceError.HugePageInTheWay,
        MapErrorKind.PageSizeMismatch => AddressSpaceError.UnsupportedPageSize,
        MapErrorKind.InvalidFrameAddress => AddressSpaceError.InvalidFrameAddress,
        MapErrorKind.RangeNotAligned => AddressSpaceError.RangeNotAligned,
        MapErrorKind.RangeOutOfBounds => AddressSpaceError.RangeOutOfBounds,
        _ => throw new System.Diagnostics.UnreachableException("undefined MapErrorKind"),
    };

    /// <summary>A sentence for a panic message (enum names are not available in the kernel: no reflection).</summary>
    public static string Describe(this AddressSpaceError error) => error switch
    {
        AddressSpaceError.Disposed => "the address space was disposed",
        AddressSpaceError.KernelAddress => "the address is in the kernel half",
        AddressSpaceError.OutOfFrames => "out of physical frames",
        AddressSpaceError.AlreadyMapped => "the page is already mapped",
        AddressSpaceError.NotMapped => "the page is not mapped",
        AddressSpaceError.HugePageInTheWay => "a huge page is mapped over the page",
        AddressSpaceError.UnsupportedPageSize => "unsupported page size",
        AddressSpaceError.InvalidFrameAddress => "a page-table entry holds a misaligned frame address",
        AddressSpaceError.TableInTheWay => "an empty page table occupies the huge page's entry",
        AddressSpaceError.StillActive => "the address space is active (in CR3)",
        AddressSpaceError.KernelEntryUserAccessible => "a kernel-half level-4 entry is user accessible",
        AddressSpaceError.RangeNotAligned => "the range start or length is not a multiple of 4 KiB",
        AddressSpaceError.RangeOutOfBounds => "the range leaves the lower half or passes 2^52",
        AddressSpaceError.KernelHalfAlreadyShared => "another address-space manager already shares the kernel half",
        _ => "unknown address space error",
    };
}
