namespace StrixOS.Memory.Heap;

/// <summary>
/// The start of a slab: a run of pages cut into equal slots of one size class. A bitmap of allocated slots
/// follows the header (enumeration and double-free checks read it); the slots start 16-byte aligned after
/// that. Free slots hold a link to the next free slot; slots past <see cref="Bump"/> were never used.
/// </summary>
internal struct SlabHeader
{
    public const int Size = 40;

    /// <summary>Links in its size class's list of slabs with free slots (addresses, 0 = none).</summary>
    public ulong Next;
    public ulong Prev;
    /// <summary>The first freed slot (address, 0 = none).</summary>
    public ulong FreeList;
    public uint SlotSize;
    public ushort SlotCount;
    /// <summary>Slots not allocated: freed ones plus never-used ones.</summary>
    public ushort FreeCount;
    /// <summary>Slots [Bump, SlotCount) have never been handed out.</summary>
    public ushort Bump;
    public ushort FirstSlotOffset;
    public byte SizeClass;
    public byte Pages;
    public ushort Unused;

    /// <summary>Bitmap bytes plus header, rounded to 16: where the first slot goes in a slab of
    /// <paramref name="slotCount"/> slots.</summary>
    public static ulong FirstSlotOffsetFor(ulong slotCount) => (Size + (slotCount + 63) / 64 * 8 + 15) & ~15UL;
}
