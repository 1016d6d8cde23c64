namespace StrixOS.Memory.PhysicalMemory;

/// <summary>
/// Written into the first frame of every free block on a list, through the offset map: the block's links in
/// the free list of its order (blocks still in a range's untouched tail have none). Free memory carries its own bookkeeping, so the allocator's only per-frame metadata is
/// one bit. Frame numbers (physical address / 4 KiB) are stored, <see cref="None"/> ends a list. The check
/// word catches a free block that something wrote to (a use after free) before the allocator trusts it.
/// </summary>
internal struct FreeBlockHeader
{
    public const ulong None = ulong.MaxValue;
    private const ulong Magic = 0x4652_4545_4652_4D45; // "FREEFRME"

    public ulong Next;
    public ulong Prev;
    public uint Order;
    public uint Range;
    public ulong Check;

    public static ulong CheckFor(ulong frameNumber, uint order, uint range)
        => Magic ^ frameNumber ^ ((ulong)order << 56) ^ ((ulong)range << 40);
}
