namespace StrixOS.Memory.Heap;

/// <summary>A live heap block: where it starts and how many bytes it spans (at least what was requested).</summary>
public readonly struct HeapBlock
{
    public HeapBlock(ulong address, ulong size)
    {
        Address = address;
        Size = size;
    }

    public ulong Address { get; }
    public ulong Size { get; }

    public override string ToString() => $"HeapBlock(0x{Address:X}, {Size})";
}

/// <summary>
/// The live blocks of a <see cref="HeapAllocator"/> in address order, for <c>foreach</c>. Walks the
/// descriptor table page run by page run: free runs are skipped by their length, large blocks are one block,
/// slabs yield each slot whose allocated bit is set, regions each live cell. What a collector needs to find every object.
/// </summary>
public readonly struct HeapBlocks
{
    private readonly HeapAllocator _heap;

    internal HeapBlocks(HeapAllocator heap) => _heap = heap;

    public Enumerator GetEnumerator() => new(_heap);

    public unsafe struct Enumerator
    {
        private readonly HeapAllocator _heap;
        private ulong _page;
        private ulong _slab;
        private ulong _slot;
        private ulong _cell;
        private ulong _regionEnd;

        internal Enumerator(HeapAllocator heap)
        {
            _heap = heap;
            _page = heap.FirstDataPage;
            _slab = 0;
            _slot = 0;
            _cell = 0;
            _regionEnd = 0;
            Current = default;
        }

        public HeapBlock Current { get; private set; }

        public bool MoveNext()
        {
            while (true)
            {
                if (_slab != 0)
                {
                    if (NextSlot())
                        return true;
                    _page += ((SlabHeader*)_slab)->Pages;
                    _slab = 0;
                }
                if (_regionEnd != 0)
                {
                    if (NextCell())
                        return true;
                    _page += (_regionEnd - _heap.AddressOf(_page)) / HeapAllocator.PageSize;
                    _regionEnd = 0;
                }
                if (_page >= _heap.TopPage)
                    return false;
                uint descriptor = _heap.DescriptorAt(_page);
                ulong value = PageDescriptor.ValueOf(descriptor);
                switch (PageDescriptor.KindOf(descriptor))
                {
                    case PageKind.FreeRun:
                        _page += value;
                        break;
                    case PageKind.Slab:
                        _slab = _heap.AddressOf(_page);
                        _slot = 0;
                        break;
                    case PageKind.LargeHead:
                        Current = new HeapBlock(_heap.AddressOf(_page), value * HeapAllocator.PageSize);
                        _page += value;
                        return true;
                    case PageKind.RegionHead:
                        _cell = _heap.AddressOf(_page);
                        _regionEnd = _cell + value * HeapAllocator.PageSize;
                        break;
                    default:
                        // Each walk step lands on the first page of a run, slab or block; anything else is a
                        // corrupted table. Stop rather than report blocks that may not exist.
                        return false;
                }
            }
        }

        /// <summary>The next live cell of the region being walked (free cells are skipped; a zero-length cell ends the walk).</summary>
        private bool NextCell()
        {
            while (_cell < _regionEnd)
            {
                uint word = *(uint*)_cell;
                ulong bytes = (ulong)(word & ~HeapAllocator.FreeCellFlag) << 4;
                if (bytes == 0 || bytes > _regionEnd - _cell)
                    return false;
                ulong cell = _cell;
                _cell += bytes;
                if ((word & HeapAllocator.FreeCellFlag) == 0)
                {
                    Current = new HeapBlock(cell, bytes);
                    return true;
                }
            }
            return false;
        }

        private bool NextSlot()
        {
            SlabHeader* header = (SlabHeader*)_slab;
            ulong* bitmap = (ulong*)(_slab + SlabHeader.Size);
            while (_slot < header->Bump)
            {
                ulong word = bitmap[_slot >> 6] >> (int)(_slot & 63);
                if (word == 0)
                {
                    _slot = (_slot | 63) + 1; // nothing more in this word
                    continue;
                }
                _slot += (ulong)System.Numerics.BitOperations.TrailingZeroCount(word);
                if (_slot >= header->Bump)
                    break;
                Current = new HeapBlock(_slab + header->FirstSlotOffset + _slot * header->SlotSize, header->SlotSize);
                _slot++;
                return true;
            }
            return false;
        }
    }
}
