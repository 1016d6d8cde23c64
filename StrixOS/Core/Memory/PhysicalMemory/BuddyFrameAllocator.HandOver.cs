using System;

namespace StrixOS.Memory.PhysicalMemory;

/// <summary>Taking over from the boot allocator: which frames are already owned, and where the bitmap goes.</summary>
public sealed unsafe partial class BuddyFrameAllocator
{
    private const ulong BitsPerFrame = FrameSize * 8;

    /// <summary>Bitmap frames for <paramref name="totalFrames"/> Usable frames: one bit each, in whole frames.</summary>
    public static ulong MetadataFramesFor(ulong totalFrames) => (totalFrames + BitsPerFrame - 1) / BitsPerFrame;

    /// <summary>
    /// Takes over from <paramref name="boot"/>: first takes the bitmap's frames from it (contiguous), then owns
    /// every Usable frame of its map. What the boot allocator handed out (in each Usable region the prefix
    /// below <see cref="BootInfoFrameAllocator.FirstFreeOf"/>) stays owned by whoever got it; the rest is
    /// free. Do not use <paramref name="boot"/> afterwards: it would hand out frames this allocator also owns.
    /// <para><paramref name="holdReclaimable"/>: also take the regions that become free later (boot-loader data,
    /// the multiboot information, ACPI-reclaimable tables: <see cref="IsReclaimable"/>) into the bitmap, held
    /// in use until <see cref="Reclaim"/> frees them.</para>
    /// </summary>
    public static Result<BuddyFrameAllocator, HandOverError> HandOver(
        BootInfoFrameAllocator boot, ulong physicalMemoryOffset, bool holdReclaimable = false)
    {
        int count = boot.RegionCount;
        ulong managedFrames = boot.TotalFrames;
        if (holdReclaimable)
        {
            foreach (MemoryRegion region in boot.Map.Regions)
            {
                if (IsReclaimable(region.Type) && HeldFrameRange(region, out ulong first, out ulong end))
                {
                    count++;
                    managedFrames += end - first;
                }
            }
        }
        ulong metadataFrames = MetadataFramesFor(managedFrames);
        ulong metadataFirst = 0;
        if (metadataFrames > 0)
        {
            if (!boot.AllocateContiguous(metadataFrames).TryGetValue(out PhysFrame bitmap))
                return HandOverError.NoRoomForMetadata;
            metadataFirst = bitmap.StartAddress.Value >> FrameShift;
        }

        ulong[] starts = new ulong[count];
        ulong[] ends = new ulong[count];
        ulong[] bitBases = new ulong[count];
        ulong[] firstFree = new ulong[count];
        MemoryRegionType[] held = new MemoryRegionType[count];
        ulong total = 0;
        int index = 0;
        int usableIndex = 0;
        foreach (MemoryRegion region in boot.Map.Regions)
        {
            bool usable = region.Type == MemoryRegionType.Usable;
            ulong first = region.Start >> FrameShift, end = region.End >> FrameShift;
            if (!usable && !(holdReclaimable && IsReclaimable(region.Type) && HeldFrameRange(region, out first, out end)))
                continue;
            starts[index] = first;
            ends[index] = end;
            // A held region is in use as a whole until it is reclaimed.
            firstFree[index] = usable ? boot.FirstFreeOf(usableIndex++) >> FrameShift : ends[index];
            held[index] = usable ? MemoryRegionType.Usable : region.Type;
            bitBases[index] = total;
            total += ends[index] - starts[index];
            index++;
        }
        var allocator = new BuddyFrameAllocator(physicalMemoryOffset, starts, ends, bitBases, firstFree, total,
            boot.AllocatedFrames - metadataFrames, metadataFirst, metadataFrames);
        allocator._held = held;
        allocator.HeldFrames = total - boot.TotalFrames;
        return allocator;
    }

    /// <summary>A reclaimable region's frames, without frame 0 (never handed out: physical address 0 reads
    /// as "none" in too many places; UEFI maps boot-loader data there). False when nothing is left.</summary>
    private static bool HeldFrameRange(MemoryRegion region, out ulong first, out ulong end)
    {
        first = region.Start >> FrameShift;
        if (first == 0)
            first = 1;
        end = region.End >> FrameShift;
        return first < end;
    }

    /// <summary>
    /// An allocator over the Usable frames of <paramref name="regions"/> (sorted, disjoint, 4 KiB aligned), of
    /// which the first <paramref name="framesHandedOut"/> in address order are already in use; the bitmap
    /// goes into the first free run after them that is long enough.
    /// </summary>
    public static Result<BuddyFrameAllocator, HandOverError> FromRegions(
        ReadOnlySpan<MemoryRegion> regions, ulong framesHandedOut, ulong physicalMemoryOffset)
    {
        int count = 0;
        ulong previousEnd = 0;
        for (int i = 0; i < regions.Length; i++)
        {
            MemoryRegion region = regions[i];
            if (region.Type != MemoryRegionType.Usable)
                continue;
            bool aligned = ((region.Start | region.End) & (FrameSize - 1)) == 0;
            if (!aligned || region.Start >= region.End || region.End > PhysAddr.Limit || region.Start < previousEnd)
                return HandOverError.RegionsNotNormalized;
            previousEnd = region.End;
            count++;
        }

        ulong[] starts = new ulong[count];
        ulong[] ends = new ulong[count];
        ulong[] bitBases = new ulong[count];
        ulong total = 0;
        int index = 0;
        for (int i = 0; i < regions.Length; i++)
        {
            if (regions[i].Type != MemoryRegionType.Usable)
                continue;
            starts[index] = regions[i].Start >> FrameShift;
            ends[index] = regions[i].End >> FrameShift;
            bitBases[index] = total;
            total += ends[index] - starts[index];
            index++;
        }
        if (framesHandedOut > total)
            return HandOverError.HandedOutExceedsTotal;

        ulong metadataFrames = MetadataFramesFor(total);
        ulong metadataFirst = ulong.MaxValue;
        ulong[] firstFree = new ulong[count];
        ulong handedOut = framesHandedOut;
        for (int i = 0; i < count; i++)
        {
            ulong size = ends[i] - starts[i];
            ulong used = handedOut < size ? handedOut : size;
            handedOut -= used;
            firstFree[i] = starts[i] + used;
            if (metadataFirst == ulong.MaxValue && metadataFrames > 0 && ends[i] - firstFree[i] >= metadataFrames)
            {
                metadataFirst = firstFree[i];
                firstFree[i] += metadataFrames;
            }
        }
        if (metadataFrames > 0 && metadataFirst == ulong.MaxValue)
            return HandOverError.NoRoomForMetadata;
        if (metadataFrames == 0)
            metadataFirst = 0;

        return new BuddyFrameAllocator(physicalMemoryOffset, starts, ends, bitBases, firstFree, total,
            framesHandedOut, metadataFirst, metadataFrames);
    }

    private BuddyFrameAllocator(
        ulong physicalMemoryOffset, ulong[] starts, ulong[] ends, ulong[] bitBases, ulong[] firstFree,
        ulong total, ulong handedOut, ulong metadataFirst, ulong metadataFrames)
    {
        _offset = physicalMemoryOffset;
        _starts = starts;
        _ends = ends;
        _bitBases = bitBases;
        TotalFrames = total;
        HandedOverFrames = handedOut;
        _metadataFirst = metadataFirst;
        MetadataFrames = metadataFrames;
        for (int order = 0; order <= MaxOrder; order++)
            _heads[order] = FreeBlockHeader.None;
        _tails = new ulong[starts.Length];
        for (int i = 0; i < starts.Length; i++)
            _tails[i] = ends[i];

        ulong* words = (ulong*)(physicalMemoryOffset + (metadataFirst << FrameShift));
        _bitmap = new FrameBitmap(words);
        // All used to begin with; then every frame from each region's first free one is free (the bitmap's
        // frames are below it: taken from the boot allocator, or skipped by FromRegions), as an untouched
        // tail: nothing is written into free memory here.
        ulong wordCount = (total + 63) / 64;
        for (ulong w = 0; w < wordCount; w++)
            words[w] = 0;
        for (int i = 0; i < starts.Length; i++)
            OpenTail(firstFree[i], (uint)i);
    }
}
