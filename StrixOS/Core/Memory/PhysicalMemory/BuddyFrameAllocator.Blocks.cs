using System;
using System.Numerics;

namespace StrixOS.Memory.PhysicalMemory;

/// <summary>The buddy mechanics: free lists, splitting and merging. Frame numbers throughout.</summary>
public sealed unsafe partial class BuddyFrameAllocator
{
    private FreeBlockHeader* HeaderOf(ulong frame) => (FreeBlockHeader*)(_offset + (frame << FrameShift));

    /// <summary>Takes a free block of exactly 2^<paramref name="order"/> frames, splitting a larger one if
    /// needed, and marks its frames used.</summary>
    private bool TryTakeBlock(int order, out ulong frame, out uint range)
    {
        ulong candidates = _nonEmptyOrders >> order;
        if (candidates == 0)
        {
            // Nothing on the lists fits: cut blocks off the untouched tails.
            if (!CarveUntil(order))
            {
                frame = 0;
                range = 0;
                return false;
            }
            candidates = _nonEmptyOrders >> order;
        }
        int found = order + BitOperations.TrailingZeroCount(candidates);
        frame = _heads[found];
        FreeBlockHeader* header = HeaderOf(frame);
        Verify(header, frame);
        range = header->Range;
        Unlink(frame, found);
        // Split: keep the lower half, put the upper half back one order down (its frames stay marked free).
        while (found > order)
        {
            found--;
            Push(frame + (1UL << found), found, range);
        }
        ulong frames = 1UL << order;
        _bitmap.ClearRange(BitOf(frame, range), frames);
        _freeFrames -= frames;
        return true;
    }

    /// <summary>Frees [first, first + count) inside one range: cut into the largest aligned blocks, each
    /// merged with its buddies. The caller has checked every frame is in use.</summary>
    private void ReleaseRun(ulong first, ulong count, uint range)
    {
        while (count > 0)
        {
            int order = BlockOrderAt(first, count);
            ReleaseBlock(first, order, range);
            first += 1UL << order;
            count -= 1UL << order;
        }
    }

    private void ReleaseBlock(ulong frame, int order, uint range)
    {
        ulong frames = 1UL << order;
        _bitmap.SetRange(BitOf(frame, range), frames);
        _freeFrames += frames;
        ulong rangeStart = _starts[range];
        ulong rangeEnd = _ends[range];
        while (order < MaxOrder)
        {
            ulong size = 1UL << order;
            ulong buddy = frame ^ size;
            // A buddy outside this range is never free: ranges are separated by frames nobody manages.
            if (buddy < rangeStart || buddy + size > rangeEnd || !_bitmap.Get(BitOf(buddy, range)))
                break;
            // The buddy's first frame is free, so it heads a free block of this order or a smaller one: on a
            // list, or the untouched tail's first block (no header there: never read it).
            if (buddy == _tails[range])
            {
                if (!TakeTailHead(buddy, order, range))
                    break;
            }
            else
            {
                FreeBlockHeader* header = HeaderOf(buddy);
                Verify(header, buddy);
                if (header->Order != (uint)order)
                    break;
                Unlink(buddy, order);
            }
            frame &= ~size;
            order++;
        }
        Push(frame, order, range);
    }

    private void Push(ulong frame, int order, uint range)
    {
        FreeBlockHeader* header = HeaderOf(frame);
        ulong head = _heads[order];
        header->Next = head;
        header->Prev = FreeBlockHeader.None;
        header->Order = (uint)order;
        header->Range = range;
        header->Check = FreeBlockHeader.CheckFor(frame, (uint)order, range);
        if (head != FreeBlockHeader.None)
            HeaderOf(head)->Prev = frame;
        _heads[order] = frame;
        _nonEmptyOrders |= 1UL << order;
    }

    private void Unlink(ulong frame, int order)
    {
        FreeBlockHeader* header = HeaderOf(frame);
        ulong next = header->Next;
        ulong prev = header->Prev;
        if (prev == FreeBlockHeader.None)
            _heads[order] = next;
        else
            HeaderOf(prev)->Next = next;
        if (next != FreeBlockHeader.None)
            HeaderOf(next)->Prev = prev;
        if (_heads[order] == FreeBlockHeader.None)
            _nonEmptyOrders &= ~(1UL << order);
        header->Check = 0; // No longer a free block head: never trust this header again.
    }

    /// <summary>A free block's header must be intact; if not, something wrote to freed memory. That is a bug
    /// elsewhere that no caller can recover from, so it stops the kernel (a panic) rather than hand out
    /// frames from a corrupted list.</summary>
    private static void Verify(FreeBlockHeader* header, ulong frame)
    {
        if (header->Check != FreeBlockHeader.CheckFor(frame, header->Order, header->Range))
            throw new InvalidOperationException("frame allocator: the free block at frame 0x" + (frame << FrameShift).ToString("X")
                + " was overwritten after it was freed (use after free)");
    }

    /// <summary>Free blocks of <paramref name="order"/> (walks the list, and counts the blocks the untouched tails
    /// would be cut into): for tests and diagnostics.</summary>
    public ulong FreeBlockCount(int order)
    {
        if ((uint)order > MaxOrder)
            return 0;
        ulong count = TailBlockCount(order);
        for (ulong frame = _heads[order]; frame != FreeBlockHeader.None; frame = HeaderOf(frame)->Next)
            count++;
        return count;
    }
}
