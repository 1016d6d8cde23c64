using System;
using System.Diagnostics.CodeAnalysis;

namespace StrixOS.Memory;

/// <summary>Why <see cref="MemoryMapNormalizer"/> refused its input.</summary>
public enum MemoryMapError : byte
{
    None,
    /// <summary>An input region ends before it starts.</summary>
    InvertedRange,
    /// <summary>A range the kernel reserves has type Usable, which would defeat its purpose.</summary>
    ReservedRangeMarkedUsable,
    /// <summary>More input regions than <see cref="MemoryMapNormalizer.MaxInputRegions"/>.</summary>
    TooManyInputRegions,
    /// <summary>The normalised map would need more than <see cref="MemoryMap.MaxRegions"/> regions.</summary>
    TooManyRegions,
    /// <summary>The address limit is zero, above 2^52 or not a multiple of 4 KiB.</summary>
    BadAddressLimit,
}

/// <summary>
/// Turns a firmware memory map plus the ranges the kernel must keep into a <see cref="MemoryMap"/> that a
/// frame allocator can trust: every 4 KiB frame inside a Usable output region is Usable in the firmware map,
/// touched by no other firmware entry, by no reserved range, and is not frame 0.
/// Rules (docs/memory.md, "Normalisation rules"): input is clipped to the address limit; Usable entries are united at byte
/// granularity and then shrunk inward to whole frames; every other entry grows outward to whole frames; where
/// entries overlap the type with the higher <see cref="Precedence"/> wins; frame 0 becomes InUse; adjacent
/// regions of one type merge. Cost is O(n log n) time and O(n) memory for n input regions.
/// </summary>
public static class MemoryMapNormalizer
{
    public const ulong PageSize = 4096;
    /// <summary>The x86-64 architectural limit of physical addresses (52 bits); memory above it is dropped.</summary>
    public const ulong MaxPhysicalAddress = 1UL << 52;
    public const int MaxInputRegions = 8192;

    private const ulong PageMask = PageSize - 1;
    private const int RankCount = 11;

    /// <summary>
    /// How restrictive a type is; the higher rank wins an overlap. Reclaimable types rank lowest above Usable,
    /// the kernel's own ranges next (they may be freed later, but never while something else still claims the
    /// memory), then the firmware's permanent types, with BadMemory above all. Undefined values rank as Reserved.
    /// The boot information is reclaimed after start-up while modules are read in place for ever (files, symbols),
    /// so a page GRUB shares between the two is a Module page.
    /// </summary>
    public static int Precedence(MemoryRegionType type) => type switch
    {
        MemoryRegionType.Usable => 0,
        MemoryRegionType.BootloaderReclaimable => 1,
        MemoryRegionType.AcpiReclaimable => 2,
        MemoryRegionType.BootInformation => 3,
        MemoryRegionType.Module => 4,
        MemoryRegionType.BootPageTables => 5,
        MemoryRegionType.Kernel => 6,
        MemoryRegionType.InUse => 7,
        MemoryRegionType.Reserved => 8,
        MemoryRegionType.AcpiNvs => 9,
        MemoryRegionType.BadMemory => 10,
        _ => 8,
    };

    private static MemoryRegionType TypeOfRank(int rank) => rank switch
    {
        0 => MemoryRegionType.Usable,
        1 => MemoryRegionType.BootloaderReclaimable,
        2 => MemoryRegionType.AcpiReclaimable,
        3 => MemoryRegionType.BootInformation,
        4 => MemoryRegionType.Module,
        5 => MemoryRegionType.BootPageTables,
        6 => MemoryRegionType.Kernel,
        7 => MemoryRegionType.InUse,
        9 => MemoryRegionType.AcpiNvs,
        10 => MemoryRegionType.BadMemory,
        _ => MemoryRegionType.Reserved,
    };

    public static Result<MemoryMap, MemoryMapError> Normalize(
        ReadOnlySpan<MemoryRegion> firmwareRegions,
        ReadOnlySpan<MemoryRegion> reservedRanges)
        => Normalize(firmwareRegions, reservedRanges, MaxPhysicalAddress);

    /// <param name="firmwareRegions">The regions as the firmware reported them: unsorted, overlapping, any type.</param>
    /// <param name="reservedRanges">Ranges the kernel occupies (image, modules, boot information): never usable.</param>
    /// <param name="addressLimit">Exclusive physical limit (4 KiB multiple, at most 2^52): anything above is
    /// dropped, e.g. memory the kernel's direct map cannot reach.</param>
    public static Result<MemoryMap, MemoryMapError> Normalize(
        ReadOnlySpan<MemoryRegion> firmwareRegions,
        ReadOnlySpan<MemoryRegion> reservedRanges,
        ulong addressLimit)
        => TryNormalize(firmwareRegions, reservedRanges, addressLimit, out MemoryMap? map, out MemoryMapError error) ? map : error;

    private static bool TryNormalize(
        ReadOnlySpan<MemoryRegion> firmwareRegions,
        ReadOnlySpan<MemoryRegion> reservedRanges,
        ulong addressLimit,
        [NotNullWhen(true)] out MemoryMap? map,
        out MemoryMapError error)
    {
        map = null;
        error = Validate(firmwareRegions, reservedRanges, addressLimit);
        if (error != MemoryMapError.None)
            return false;

        int usableCount = 0;
        int otherCount = reservedRanges.Length;
        for (int i = 0; i < firmwareRegions.Length; i++)
        {
            if (firmwareRegions[i].Type == MemoryRegionType.Usable)
                usableCount++;
            else
                otherCount++;
        }

        // Each usable segment and each other entry gives at most one start and one end event.
        ulong[] events = new ulong[2 * (usableCount + otherCount)];
        int eventCount = AddUsableEvents(firmwareRegions, usableCount, addressLimit, events, 0);
        for (int i = 0; i < firmwareRegions.Length; i++)
        {
            if (firmwareRegions[i].Type != MemoryRegionType.Usable)
                eventCount = AddGrownEvents(firmwareRegions[i], addressLimit, events, eventCount);
        }
        for (int i = 0; i < reservedRanges.Length; i++)
            eventCount = AddGrownEvents(reservedRanges[i], addressLimit, events, eventCount);

        Span<ulong> sorted = events.AsSpan(0, eventCount);
        SortAscending(sorted);

        MemoryRegion[] output = new MemoryRegion[MemoryMap.MaxRegions];
        int outputCount = 0;
        if (!Sweep(sorted, output, ref outputCount))
        {
            error = MemoryMapError.TooManyRegions;
            return false;
        }

        MemoryRegion[] exact = new MemoryRegion[outputCount];
        output.AsSpan(0, outputCount).CopyTo(exact);
        map = new MemoryMap(exact);
        return true;
    }

    private static MemoryMapError Validate(
        ReadOnlySpan<MemoryRegion> firmwareRegions, ReadOnlySpan<MemoryRegion> reservedRanges, ulong addressLimit)
    {
        if (addressLimit == 0 || addressLimit > MaxPhysicalAddress || (addressLimit & PageMask) != 0)
            return MemoryMapError.BadAddressLimit;
        if (firmwareRegions.Length > MaxInputRegions - reservedRanges.Length)
            return MemoryMapError.TooManyInputRegions;
        for (int i = 0; i < firmwareRegions.Length; i++)
        {
            if (firmwareRegions[i].End < firmwareRegions[i].Start)
                return MemoryMapError.InvertedRange;
        }
        for (int i = 0; i < reservedRanges.Length; i++)
        {
            if (reservedRanges[i].End < reservedRanges[i].Start)
                return MemoryMapError.InvertedRange;
            if (reservedRanges[i].Type == MemoryRegionType.Usable)
                return MemoryMapError.ReservedRangeMarkedUsable;
        }
        return MemoryMapError.None;
    }

    // An event is a page-aligned address with the rank in bits 1..4 and bit 0 set for an end.
    private static ulong StartEvent(ulong address, int rank) => address | ((ulong)rank << 1);
    private static ulong EndEvent(ulong address, int rank) => address | ((ulong)rank << 1) | 1;

    /// <summary>Unites the Usable entries byte by byte (two halves of a frame make a whole one), then
    /// shrinks each united segment inward to whole frames.</summary>
    private static int AddUsableEvents(
        ReadOnlySpan<MemoryRegion> firmwareRegions, int usableCount, ulong addressLimit, ulong[] events, int eventCount)
    {
        ulong[] starts = new ulong[usableCount];
        ulong[] ends = new ulong[usableCount];
        int count = 0;
        for (int i = 0; i < firmwareRegions.Length; i++)
        {
            MemoryRegion region = firmwareRegions[i];
            if (region.Type != MemoryRegionType.Usable)
                continue;
            ulong end = region.End < addressLimit ? region.End : addressLimit;
            if (region.Start >= end)
                continue;
            starts[count] = region.Start;
            ends[count] = end;
            count++;
        }
        Span<ulong> sortedStarts = starts.AsSpan(0, count);
        Span<ulong> sortedEnds = ends.AsSpan(0, count);
        SortAscending(sortedStarts);
        SortAscending(sortedEnds);

        // The k-th smallest end is never below the k-th smallest start, so depth never goes negative.
        // On a tie a start is taken first, so touching entries unite.
        int nextStart = 0;
        int nextEnd = 0;
        int depth = 0;
        ulong segmentStart = 0;
        while (nextEnd < count)
        {
            if (nextStart < count && sortedStarts[nextStart] <= sortedEnds[nextEnd])
            {
                if (depth == 0)
                    segmentStart = sortedStarts[nextStart];
                depth++;
                nextStart++;
            }
            else
            {
                depth--;
                if (depth == 0)
                {
                    ulong first = AlignUp(segmentStart);
                    ulong last = AlignDown(sortedEnds[nextEnd]);
                    if (first < last)
                    {
                        events[eventCount++] = StartEvent(first, 0);
                        events[eventCount++] = EndEvent(last, 0);
                    }
                }
                nextEnd++;
            }
        }
        return eventCount;
    }

    private static int AddGrownEvents(MemoryRegion region, ulong addressLimit, ulong[] events, int eventCount)
    {
        ulong end = region.End < addressLimit ? region.End : addressLimit;
        if (region.Start >= end)
            return eventCount;
        int rank = Precedence(region.Type);
        // end <= addressLimit, a frame multiple, so rounding up cannot pass it or overflow.
        events[eventCount++] = StartEvent(AlignDown(region.Start), rank);
        events[eventCount++] = EndEvent(AlignUp(end), rank);
        return eventCount;
    }

    /// <summary>Walks the sorted events, keeping a count of open entries per rank; between two event
    /// addresses the highest open rank names the region (none open: a hole).</summary>
    private static bool Sweep(ReadOnlySpan<ulong> events, MemoryRegion[] output, ref int outputCount)
    {
        Span<int> open = stackalloc int[RankCount];
        int i = 0;
        while (i < events.Length)
        {
            ulong address = events[i] & ~PageMask;
            while (i < events.Length && (events[i] & ~PageMask) == address)
            {
                int rank = (int)((events[i] >> 1) & 0xF);
                if ((events[i] & 1) == 0)
                    open[rank]++;
                else
                    open[rank]--;
                i++;
            }
            if (i == events.Length)
                break;
            int top = HighestOpenRank(open);
            if (top >= 0 && !Append(output, ref outputCount, address, events[i] & ~PageMask, TypeOfRank(top)))
                return false;
        }
        return true;
    }

    private static int HighestOpenRank(ReadOnlySpan<int> open)
    {
        for (int rank = open.Length - 1; rank >= 0; rank--)
        {
            if (open[rank] > 0)
                return rank;
        }
        return -1;
    }

    private static bool Append(MemoryRegion[] output, ref int outputCount, ulong start, ulong end, MemoryRegionType type)
    {
        // Frame 0 is never handed out: a physical address of 0 must not name a real allocation.
        if (type == MemoryRegionType.Usable && start == 0)
        {
            if (!Append(output, ref outputCount, 0, PageSize, MemoryRegionType.InUse))
                return false;
            start = PageSize;
            if (start >= end)
                return true;
        }
        if (outputCount > 0)
        {
            MemoryRegion last = output[outputCount - 1];
            if (last.End == start && last.Type == type)
            {
                output[outputCount - 1] = new MemoryRegion(last.Start, end, type);
                return true;
            }
        }
        if (outputCount == output.Length)
            return false;
        output[outputCount++] = new MemoryRegion(start, end, type);
        return true;
    }

    private static ulong AlignDown(ulong address) => address & ~PageMask;

    // Callers pass addresses below 2^52, so this cannot overflow.
    private static ulong AlignUp(ulong address) => (address + PageMask) & ~PageMask;

    /// <summary>In-place heap sort: O(n log n) whatever the input, no allocation, no comparer machinery.</summary>
    private static void SortAscending(Span<ulong> values)
    {
        for (int root = values.Length / 2 - 1; root >= 0; root--)
            SiftDown(values, root, values.Length);
        for (int end = values.Length - 1; end > 0; end--)
        {
            (values[0], values[end]) = (values[end], values[0]);
            SiftDown(values, 0, end);
        }
    }

    private static void SiftDown(Span<ulong> values, int root, int length)
    {
        while (true)
        {
            int child = 2 * root + 1;
            if (child >= length)
                return;
            if (child + 1 < length && values[child + 1] > values[child])
                child++;
            if (values[root] >= values[child])
                return;
            (values[root], values[child]) = (values[child], values[root]);
            root = child;
        }
    }
}

public static class MemoryMapErrorExtensions
{
    /// <summary>A sentence for a report or panic message (enum names are not available in the kernel: no reflection).</summary>
    public static string Describe(this MemoryMapError error) => error switch
    {
        MemoryMapError.None => "no error",
        MemoryMapError.InvertedRange => "an input region ends before it starts",
        MemoryMapError.ReservedRangeMarkedUsable => "a range the kernel reserves is marked Usable",
        MemoryMapError.TooManyInputRegions => "more input regions than the normaliser accepts",
        MemoryMapError.TooManyRegions => "the normalised map would need more regions than it may hold",
        MemoryMapError.BadAddressLimit => "the address limit is zero, above 2^52 or not a multiple of 4 KiB",
        _ => "unknown memory map error",
    };
}
