using System;
using System.Numerics;

namespace StrixOS.Memory.PhysicalMemory;

/// <summary>
/// Untouched tails: the free frames a range starts with (after the hand-over, or a <see cref="Reclaim"/>) are
/// not cut into list blocks at once. Each range keeps [tail, end) aside: free in the bitmap and counted in
/// <see cref="FreeFrames"/>, but on no list, so no header is written into it. Blocks are cut off the tail's
/// low end only when the lists cannot serve a request, in the same largest-aligned-block order the eager
/// release would have used; so the allocator behaves as if the whole tail had been released, but start-up
/// writes to no free frame (under QEMU every first write to a 2 MiB region of guest RAM makes the host fault
/// it in: docs/benchmarks.md).
/// <para>A cut block is at most 2 MiB unless the request needs a larger one: the request takes the block at once,
/// splitting it, and the halves it does not take get headers, so a larger block cut for a 4 KiB frame would write
/// headers into the 2 MiB regions above the one the frame is in (a 4 MiB block at 0x400000: a header at 0x600000). The
/// rest of the larger block stays the tail, which starts at the cut block's buddy: a block freed later merges with it
/// as before, so the blocks are still the eager release's.</para>
/// <para>The one interaction with the lists: a block freed just below a tail whose first block is its buddy
/// merges with that block, which then leaves the tail (<see cref="ReleaseBlock"/>). Tails only shrink from
/// below, so a block on a list never lies inside one.</para>
/// </summary>
public sealed unsafe partial class BuddyFrameAllocator
{
    /// <summary>The order of the largest aligned block starting at <paramref name="first"/> that fits in
    /// <paramref name="count"/> frames (count &gt; 0).</summary>
    private static int BlockOrderAt(ulong first, ulong count)
    {
        int alignOrder = first == 0 ? MaxOrder : BitOperations.TrailingZeroCount(first);
        int sizeOrder = BitOperations.Log2(count);
        return Math.Min(MaxOrder, Math.Min(alignOrder, sizeOrder));
    }

    /// <summary>Makes [first, end of range) the untouched tail of <paramref name="range"/>: all of it free, none of it
    /// on a list. The caller guarantees every frame there was in use and none is on a list.</summary>
    private void OpenTail(ulong first, uint range)
    {
        ulong end = _ends[range];
        if (first >= end)
            return;
        _bitmap.SetRange(BitOf(first, range), end - first);
        _freeFrames += end - first;
        _tails[range] = first;
    }

    /// <summary>The end of low memory (the first MiB). The ranges below it are carved last, and the boot allocator
    /// leaves them alone (MemorySystem): the firmware and the boot loader ran their code there, and under QEMU's TCG
    /// the first write to a page it translated code from throws those translations away one by one (milliseconds
    /// for a few hundred frames), a cost no other frame has.</summary>
    public const ulong LowMemoryEnd = 0x10_0000;
    private const ulong LowMemoryEndFrame = LowMemoryEnd >> FrameShift;

    /// <summary>Cuts blocks off the untouched tails onto the lists until one of at least <paramref name="order"/> is
    /// there: the ranges above the first MiB first, lowest first, then the ones below it; each block at most 2 MiB or
    /// <paramref name="order"/>, whichever is larger. False when the tails hold none (they are then empty).</summary>
    private bool CarveUntil(int order)
    {
        int largest = order > Order2MiB ? order : Order2MiB;
        for (int pass = 0; pass < 2; pass++)
        {
            bool lowPass = pass == 1;
            for (int range = 0; range < _tails.Length; range++)
            {
                if (_starts[range] < LowMemoryEndFrame != lowPass)
                    continue;
                while (_tails[range] < _ends[range])
                {
                    if (CarveBlock((uint)range, largest) >= order)
                        return true;
                }
            }
        }
        return false;
    }

    /// <summary>Moves the first block of a non-empty tail, of at most <paramref name="largest"/>, onto its list and
    /// returns its order. No merge: its buddy below, if any, was freed while it was the tail's first block, and merged
    /// with it then; a block cut smaller than the eager release's has its buddy above, as the tail's new first block.</summary>
    private int CarveBlock(uint range, int largest)
    {
        ulong first = _tails[range];
        int order = Math.Min(BlockOrderAt(first, _ends[range] - first), largest);
        _tails[range] = first + (1UL << order);
        Push(first, order, range);
        return order;
    }

    /// <summary>True when the first block of <paramref name="range"/>'s tail starts at <paramref name="frame"/>
    /// and has <paramref name="order"/>; it then leaves the tail (merged by the caller).</summary>
    private bool TakeTailHead(ulong frame, int order, uint range)
    {
        ulong tail = _tails[range];
        if (frame != tail || tail >= _ends[range] || BlockOrderAt(tail, _ends[range] - tail) != order)
            return false;
        _tails[range] = tail + (1UL << order);
        return true;
    }

    /// <summary>Blocks of <paramref name="order"/> in the untouched tails (as the eager release would have cut them).</summary>
    private ulong TailBlockCount(int order)
    {
        ulong count = 0;
        for (int range = 0; range < _tails.Length; range++)
        {
            ulong end = _ends[range];
            for (ulong first = _tails[range]; first < end;)
            {
                int blockOrder = BlockOrderAt(first, end - first);
                if (blockOrder == order)
                    count++;
                first += 1UL << blockOrder;
            }
        }
        return count;
    }
}
