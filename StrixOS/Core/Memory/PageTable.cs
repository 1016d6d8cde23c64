using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace StrixOS.Memory;

/// <summary>
/// One page table: 512 entries, 4 KiB, at a 4 KiB-aligned physical address. The kernel reaches it through the
/// offset map, as <c>(PageTable*)(physicalMemoryOffset + physicalAddress)</c>; it is never copied.
/// </summary>
public struct PageTable
{
    public const int EntryCount = PageTableIndex.Count;

    private Entries _entries;

    [UnscopedRef]
    public ref PageTableEntry this[PageTableIndex index] => ref _entries[index.Value];

    [UnscopedRef]
    public Span<PageTableEntry> AsSpan() => _entries;

    /// <summary>Marks every entry unused.</summary>
    public void Zero() => AsSpan().Clear();

    /// <summary>True when every entry is unused.</summary>
    public readonly bool IsEmpty
    {
        get
        {
            ReadOnlySpan<PageTableEntry> entries = _entries;
            for (int i = 0; i < entries.Length; i++)
            {
                if (!entries[i].IsUnused)
                    return false;
            }
            return true;
        }
    }

    [InlineArray(EntryCount)]
    private struct Entries
    {
        private PageTableEntry _first;
    }
}
