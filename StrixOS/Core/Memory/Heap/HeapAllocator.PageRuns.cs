using System;
using System.Numerics;

namespace StrixOS.Memory.Heap;

/// <summary>
/// Page runs: free pages merge with their free neighbours into runs, kept in one list per power of two of
/// their length (bucket k holds runs of 2^k .. 2^(k+1) - 1 pages). A request takes the first long-enough run
/// of its own bucket or any run of a higher bucket, from the low end; the rest stays free. The heap grows only
/// when no run fits.
/// </summary>
public sealed unsafe partial class HeapAllocator
{
    private const int RunBuckets = PageDescriptor.ValueBits;

    /// <summary>Stored in the first page of every free run.</summary>
    private struct FreeRunNode
    {
        public ulong Next;
        public ulong Prev;
    }

    private readonly ulong[] _runHeads = new ulong[RunBuckets];
    private uint _nonEmptyBuckets;

    /// <summary>A large block of <paramref name="pages"/> pages; 0 when out of memory.</summary>
    private ulong AllocateLarge(ulong pages)
    {
        ulong first = AllocatePages(pages);
        if (first == 0)
            return 0;
        _descriptors[first] = PageDescriptor.Make(PageKind.LargeHead, pages);
        for (ulong i = 1; i < pages; i++)
            _descriptors[first + i] = PageDescriptor.Make(PageKind.LargeBody, i);
        return AddressOf(first);
    }

    /// <summary>The first page of <paramref name="pages"/> free pages, now the caller's to describe; 0 when the
    /// backing cannot grow the heap that far (page 0 is always the descriptor table, never data).</summary>
    private ulong AllocatePages(ulong pages)
    {
        ulong run = FindRun(pages);
        if (run == 0)
        {
            if (!Grow(pages))
                return 0;
            run = FindRun(pages);
            if (run == 0)
                return 0; // Grow added a run of at least that many pages: unreachable.
        }
        ulong length = PageDescriptor.ValueOf(_descriptors[run]);
        // After a Decommit, pages inside free runs may have no memory behind them: the block, and the first
        // page of what stays free (it holds the run's list node), must be backed again.
        if (_decommitted && !_backing.Commit(AddressOf(run), (length > pages ? pages + 1 : pages) << PageShift))
            return 0;
        RemoveRun(run, length);
        if (length > pages)
            InsertRun(run + pages, length - pages);
        return run;
    }

    private ulong FindRun(ulong pages)
    {
        int bucket = BitOperations.Log2(pages);
        for (ulong run = _runHeads[bucket]; run != 0; run = NodeOf(run)->Next)
        {
            if (PageDescriptor.ValueOf(_descriptors[run]) >= pages)
                return run;
        }
        uint higher = bucket + 1 < RunBuckets ? _nonEmptyBuckets >> (bucket + 1) : 0;
        if (higher == 0)
            return 0;
        return _runHeads[bucket + 1 + BitOperations.TrailingZeroCount(higher)];
    }

    /// <summary>Returns [first, first + pages) to the free runs, merged with free neighbours.</summary>
    private void ReleasePages(ulong first, ulong pages)
    {
        ulong end = first + pages;
        ulong releasedFirst = first;
        for (ulong page = first; page < end; page++)
            _descriptors[page] = PageDescriptor.Make(PageKind.FreeRun, 0);
        if (first > _dataFirst)
        {
            uint left = _descriptors[first - 1];
            ulong leftLength = PageDescriptor.ValueOf(left);
            if (PageDescriptor.KindOf(left) == PageKind.FreeRun && leftLength > 0)
            {
                // first - 1 is the last page of a free run: absorb it.
                ulong leftStart = first - leftLength;
                RemoveRun(leftStart, leftLength);
                _descriptors[first - 1] = PageDescriptor.Make(PageKind.FreeRun, 0);
                first = leftStart;
            }
        }
        if (end < _top)
        {
            uint right = _descriptors[end];
            ulong rightLength = PageDescriptor.ValueOf(right);
            if (PageDescriptor.KindOf(right) == PageKind.FreeRun && rightLength > 0)
            {
                RemoveRun(end, rightLength);
                _descriptors[end] = PageDescriptor.Make(PageKind.FreeRun, 0);
                // That run's first page (committed: it held the run's node) is inside the merged run now.
                pages++;
                end += rightLength;
            }
        }
        InsertRun(first, end - first);
        NoteReleased(releasedFirst, pages);
    }

    private FreeRunNode* NodeOf(ulong page) => (FreeRunNode*)AddressOf(page);

    private void InsertRun(ulong first, ulong length)
    {
        _descriptors[first] = PageDescriptor.Make(PageKind.FreeRun, length);
        _descriptors[first + length - 1] = PageDescriptor.Make(PageKind.FreeRun, length);
        int bucket = BitOperations.Log2(length);
        FreeRunNode* node = NodeOf(first);
        ulong head = _runHeads[bucket];
        node->Next = head;
        node->Prev = 0;
        if (head != 0)
            NodeOf(head)->Prev = first;
        _runHeads[bucket] = first;
        _nonEmptyBuckets |= 1u << bucket;
    }

    private void RemoveRun(ulong first, ulong length)
    {
        int bucket = BitOperations.Log2(length);
        FreeRunNode* node = NodeOf(first);
        if (node->Prev == 0)
            _runHeads[bucket] = node->Next;
        else
            NodeOf(node->Prev)->Next = node->Next;
        if (node->Next != 0)
            NodeOf(node->Next)->Prev = node->Prev;
        if (_runHeads[bucket] == 0)
            _nonEmptyBuckets &= ~(1u << bucket);
    }

    /// <summary>Maps at least <paramref name="pages"/> more data pages (and the descriptor pages that describe
    /// them) and adds them to the free runs. False when the range is full or the backing refuses.</summary>
    private bool Grow(ulong pages)
    {
        ulong room = _maxPages - _top;
        if (pages > room)
            return false;
        ulong minimum = MinimumGrowthBytes >> PageShift;
        ulong growth = pages > minimum ? pages : minimum;
        if (growth > room)
            growth = room;
        ulong newTop = _top + growth;

        ulong descriptorPagesNeeded = (newTop * sizeof(uint) + PageSize - 1) >> PageShift;
        if (descriptorPagesNeeded > _descriptorPagesMapped)
        {
            ulong extra = descriptorPagesNeeded - _descriptorPagesMapped;
            if (!_backing.Grow(AddressOf(_descriptorPagesMapped), extra << PageShift))
                return false;
            // Fresh descriptor pages must read as Unused.
            Zero(AddressOf(_descriptorPagesMapped), extra << PageShift);
            _descriptorPagesMapped = descriptorPagesNeeded;
        }
        if (!_backing.Grow(AddressOf(_top), growth << PageShift))
            return false;
        ulong oldTop = _top;
        _top = newTop;
        GrowCount++;
        ReleasePages(oldTop, growth);
        return true;
    }
}
