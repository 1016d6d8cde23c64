using System;
using System.Runtime.CompilerServices;

namespace StrixOS.Memory;

/// <summary>
/// One 64-bit page-table entry: flags in bits 0..11 and 52..63, a physical address in bits 12..51.
/// Lives inside a <see cref="PageTable"/>; change it in place through a ref.
/// </summary>
public struct PageTableEntry : IEquatable<PageTableEntry>
{
    /// <summary>Bits 12..51: the physical address of the next table or of the mapped frame.</summary>
    public const ulong AddressMask = 0x000F_FFFF_FFFF_F000;

    private ulong _raw;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public PageTableEntry(ulong raw) => _raw = raw;

    public readonly ulong Raw
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _raw;
    }

    /// <summary>All 64 bits zero: never used, free to map.</summary>
    public readonly bool IsUnused
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _raw == 0;
    }

    public readonly bool IsPresent
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (_raw & (ulong)PageTableFlags.Present) != 0;
    }

    public readonly PageTableFlags Flags
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (PageTableFlags)(_raw & ~AddressMask);
    }

    public readonly PhysAddr Address
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => PhysAddr.NewUnchecked(_raw & AddressMask);
    }

    /// <summary>The 4 KiB frame this entry points to (a table or a 4 KiB page).</summary>
    public readonly Result<PhysFrame, FrameError> Frame
    {
        get
        {
            if (!IsPresent)
                return FrameError.FrameNotPresent;
            if ((_raw & (ulong)PageTableFlags.HugePage) != 0)
                return FrameError.HugeFrame;
            return PhysFrame.NewUnchecked(_raw & AddressMask, PageSize.Size4KiB);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetUnused() => _raw = 0;

    /// <summary>Points the entry at <paramref name="address"/> (bits 0..11 are dropped) with exactly these flags.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetAddress(PhysAddr address, PageTableFlags flags)
        => _raw = (address.Value & AddressMask) | ((ulong)flags & ~AddressMask);

    /// <summary>Points the entry at <paramref name="frame"/>; a huge frame gets <see cref="PageTableFlags.HugePage"/>.</summary>
    public void SetFrame(PhysFrame frame, PageTableFlags flags)
    {
        if (frame.Size != PageSize.Size4KiB)
            flags |= PageTableFlags.HugePage;
        SetAddress(frame.StartAddress, flags);
    }

    /// <summary>Replaces the flags, keeping the address.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetFlags(PageTableFlags flags) => _raw = (_raw & AddressMask) | ((ulong)flags & ~AddressMask);

    public readonly bool Equals(PageTableEntry other) => _raw == other._raw;
    public override readonly bool Equals(object? obj) => obj is PageTableEntry other && Equals(other);
    public override readonly int GetHashCode() => _raw.GetHashCode();
    public static bool operator ==(PageTableEntry left, PageTableEntry right) => left._raw == right._raw;
    public static bool operator !=(PageTableEntry left, PageTableEntry right) => left._raw != right._raw;

    public override readonly string ToString() => $"PageTableEntry(0x{Address.Value:X}, {Flags})";
}
