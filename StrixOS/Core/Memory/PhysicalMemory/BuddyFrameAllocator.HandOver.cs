using System;

namespace StrixOS.Memory.PhysicalMemory;

/// <summary>Taking over from the boot allocator: which frames are already owned, and where the bitmap goes.</summary>
public sealed unsafe partial class BuddyFrameAllocator
{
    private const ulong BitsPerFrame = FrameSize * 8;

    /// <summary>
    /// Takes over from <paramref name="boot"/>, built over the same <paramref name="regions"/> (the normalised
    /// map, <see cref="MemoryMap.Regions"/>). The boot allocator hands frames out in address order, so its
    /// first <see cref="BootInfoFrameAllocator.AllocatedFrames"/> Usable frames stay owned by whoever got
    /// them; the bitmap is carved from the free frames right after them. Do not use <paramref name="boot"/>
    /// afterwards: it would hand out frames this allocator also owns.
    /// </summary>
    public static Result<BuddyFrameAllocator, HandOverError> HandOver(
        BootInfoFrameAllocator boot, ReadOnlySpan<MemoryRegion> regions, ulong physicalMemoryOffset)
        => Create(regions, boot.AllocatedFrames, boot.TotalFrames, physicalMemoryOffset);

    /// <summary>
    /// An allocator over the Usable frames of <paramref name="regions"/> (sorted, disjoint, 4 KiB aligned), of
    /// which the first <paramref name="framesHandedOut"/> in address order are already in use.
    /// </summary>
    public static Result<BuddyFrameAllocator, HandOverError> FromRegions(
        ReadOnlySpan<MemoryRegion> regions, ulong framesHandedOut, ulong physicalMemoryOffset)
        => Create(regions, framesHandedOut, expectedTotal: ulong.MaxValue, physicalMemoryOffset);

    private static Result<BuddyFrameAllocator, HandOverError> Create(
        ReadOnlySpan<MemoryRegion> regions, ulong framesHandedOut, ulong expectedTotal, ulong physicalMemoryOffset)
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
        if (expectedTotal != ulong.MaxValue && total != expectedTotal)
            return HandOverError.MemoryMapMismatch;
        if (framesHandedOut > total)
            return HandOverError.HandedOutExceedsTotal;

        // The bitmap: one bit per Usable frame, in whole frames, in the first free run after the boot
        // allocator's cursor that is long enough.
        ulong metadataFrames = (total + BitsPerFrame - 1) / BitsPerFrame;
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
                metadataFirst = firstFree[i];
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

        ulong* words = (ulong*)(physicalMemoryOffset + (metadataFirst << FrameShift));
        _bitmap = new FrameBitmap(words);
        // All used to begin with; then every frame after the cursor (minus the bitmap's) is released.
        ulong wordCount = (total + 63) / 64;
        for (ulong w = 0; w < wordCount; w++)
            words[w] = 0;
        for (int i = 0; i < starts.Length; i++)
        {
            ulong first = firstFree[i];
            if (metadataFrames > 0 && first == metadataFirst)
                first += metadataFrames;
            if (first < ends[i])
                ReleaseRun(first, ends[i] - first, (uint)i);
        }
    }
}
