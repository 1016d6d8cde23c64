namespace StrixOS.Memory.Heap;

/// <summary>
/// Slabs: each size class keeps a list of its slabs that have a free slot. A slot comes from the first of
/// them (a freed slot first, else a never-used one); a full slab leaves the list and comes back when a slot
/// is freed. A slab that becomes empty returns its pages to the page runs, unless it is its class's only slab
/// with room: keeping that one spares an allocate/free loop from cutting and releasing a slab every time.
/// </summary>
public sealed unsafe partial class HeapAllocator
{
    private readonly ulong[] _partialSlabs = new ulong[SizeClasses.Count];
    private readonly ushort[] _slotCounts = new ushort[SizeClasses.Count];
    private readonly ushort[] _firstSlotOffsets = new ushort[SizeClasses.Count];

    private static SlabHeader* HeaderOf(ulong slab) => (SlabHeader*)slab;

    private static ulong* BitmapOf(ulong slab) => (ulong*)(slab + SlabHeader.Size);

    /// <summary>A slot of <paramref name="sizeClass"/>; 0 when out of memory.</summary>
    private ulong AllocateSlot(int sizeClass)
    {
        ulong slab = _partialSlabs[sizeClass];
        if (slab == 0)
        {
            slab = NewSlab(sizeClass);
            if (slab == 0)
                return 0;
        }
        SlabHeader* header = HeaderOf(slab);
        ulong slot;
        if (header->FreeList != 0)
        {
            slot = header->FreeList;
            header->FreeList = *(ulong*)slot;
        }
        else
        {
            slot = slab + header->FirstSlotOffset + (ulong)header->Bump * header->SlotSize;
            header->Bump++;
        }
        ulong index = (slot - slab - header->FirstSlotOffset) / header->SlotSize;
        BitmapOf(slab)[index >> 6] |= 1UL << (int)(index & 63);
        header->FreeCount--;
        if (header->FreeCount == 0)
            Unlink(slab);
        return slot;
    }

    /// <summary>Checks that <paramref name="address"/> is an allocated slot of <paramref name="slab"/>; its size.</summary>
    private Result<ulong, HeapError> LocateSlot(ulong slab, ulong address)
    {
        SlabHeader* header = HeaderOf(slab);
        ulong first = slab + header->FirstSlotOffset;
        if (address < first)
            return HeapError.NotBlockStart;
        ulong offset = address - first;
        ulong index = offset / header->SlotSize;
        if (offset % header->SlotSize != 0 || index >= header->SlotCount)
            return HeapError.NotBlockStart;
        if ((BitmapOf(slab)[index >> 6] & (1UL << (int)(index & 63))) == 0)
            return HeapError.DoubleFree;
        return (ulong)header->SlotSize;
    }

    /// <summary>Frees an allocated slot (checked by <see cref="LocateSlot"/>).</summary>
    private void FreeSlot(ulong slab, ulong slot)
    {
        SlabHeader* header = HeaderOf(slab);
        ulong index = (slot - slab - header->FirstSlotOffset) / header->SlotSize;
        BitmapOf(slab)[index >> 6] &= ~(1UL << (int)(index & 63));
        *(ulong*)slot = header->FreeList;
        header->FreeList = slot;
        header->FreeCount++;
        int sizeClass = header->SizeClass;
        if (header->FreeCount == 1)
            PushFront(slab, sizeClass);
        if (header->FreeCount == header->SlotCount && !IsOnlyPartialSlab(slab, sizeClass))
        {
            Unlink(slab);
            ReleasePages(PageOf(slab), header->Pages);
        }
    }

    private ulong NewSlab(int sizeClass)
    {
        ulong pages = (ulong)SizeClasses.SlabPages(sizeClass);
        ulong first = AllocatePages(pages);
        if (first == 0)
            return 0;
        for (ulong i = 0; i < pages; i++)
            _descriptors[first + i] = PageDescriptor.Make(PageKind.Slab, i);
        ulong slab = AddressOf(first);
        SlabHeader* header = HeaderOf(slab);
        ushort slots = _slotCounts[sizeClass];
        header->Next = 0;
        header->Prev = 0;
        header->FreeList = 0;
        header->SlotSize = (uint)SizeClasses.SlotSize(sizeClass);
        header->SlotCount = slots;
        header->FreeCount = slots;
        header->Bump = 0;
        header->FirstSlotOffset = _firstSlotOffsets[sizeClass];
        header->SizeClass = (byte)sizeClass;
        header->Pages = (byte)pages;
        header->Unused = 0;
        ulong* bitmap = BitmapOf(slab);
        for (int i = 0; i < (slots + 63) / 64; i++)
            bitmap[i] = 0;
        PushFront(slab, sizeClass);
        return slab;
    }

    private bool IsOnlyPartialSlab(ulong slab, int sizeClass)
        => _partialSlabs[sizeClass] == slab && HeaderOf(slab)->Next == 0;

    private void PushFront(ulong slab, int sizeClass)
    {
        SlabHeader* header = HeaderOf(slab);
        ulong head = _partialSlabs[sizeClass];
        header->Next = head;
        header->Prev = 0;
        if (head != 0)
            HeaderOf(head)->Prev = slab;
        _partialSlabs[sizeClass] = slab;
    }

    private void Unlink(ulong slab)
    {
        SlabHeader* header = HeaderOf(slab);
        if (header->Prev == 0)
            _partialSlabs[header->SizeClass] = header->Next;
        else
            HeaderOf(header->Prev)->Next = header->Next;
        if (header->Next != 0)
            HeaderOf(header->Next)->Prev = header->Prev;
        header->Next = 0;
        header->Prev = 0;
    }
}
