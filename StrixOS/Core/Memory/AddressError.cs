namespace StrixOS.Memory;

/// <summary>Why an address, page, frame, index or range could not be made.</summary>
public enum AddressError : byte
{
    /// <summary>Bits 48..63 of a virtual address are not copies of bit 47.</summary>
    NotCanonical,
    /// <summary>A physical address needs more than 52 bits.</summary>
    BeyondPhysicalLimit,
    /// <summary>The address is not a multiple of the page size.</summary>
    NotAligned,
    /// <summary>The <see cref="PageSize"/> value is not one of the three defined sizes.</summary>
    InvalidPageSize,
    /// <summary>A table index (0..511) or page offset (0..4095) is out of range.</summary>
    OutOfRange,
    /// <summary>The two ends of a range have different page sizes.</summary>
    SizeMismatch,
    /// <summary>A range ends before it starts, or runs out of its half of the address space.</summary>
    InvalidRange,
}

public static class AddressErrorExtensions
{
    /// <summary>A sentence for a report or panic message (enum names are not available in the kernel: no reflection).</summary>
    public static string Describe(this AddressError error) => error switch
    {
        AddressError.NotCanonical => "the virtual address is not canonical (bits 48-63 do not copy bit 47)",
        AddressError.BeyondPhysicalLimit => "the physical address is at or above 2^52",
        AddressError.NotAligned => "the address is not aligned to the page size",
        AddressError.InvalidPageSize => "the page size is not 4 KiB, 2 MiB or 1 GiB",
        AddressError.OutOfRange => "the result lies outside the address space",
        AddressError.SizeMismatch => "the two pages or frames differ in size",
        AddressError.InvalidRange => "the range ends before it starts",
        _ => "unknown address error",
    };
}
