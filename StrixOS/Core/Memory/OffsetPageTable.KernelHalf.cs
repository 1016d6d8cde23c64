using System.Runtime.CompilerServices;

namespace StrixOS.Memory;

/// <summary>
/// The kernel's table when address spaces share its kernel half (<see cref="AddressSpaceManager"/>): every
/// write of a kernel-half level-4 entry is reported to the manager, which copies the entry into every live
/// address space, and no kernel-half level-3 table is ever freed (the copies point at it).
/// <para>Only cold paths report: creating a table under an empty level-4 entry, widening a parent's rights,
/// setting a level-4 entry's flags. Mapping under existing tables (the fast paths) writes no level-4 entry.</para>
/// </summary>
public sealed unsafe partial class OffsetPageTable
{
    private AddressSpaceManager? _kernelHalfSharer;

    /// <summary>True once an <see cref="AddressSpaceManager"/> shares this table's kernel half.</summary>
    public bool SharesKernelHalf => _kernelHalfSharer != null;

    /// <summary>From now on, report kernel-half level-4 writes to <paramref name="manager"/> (one manager per table:
    /// <see cref="AddressSpaceManager.Init"/> checks).</summary>
    internal void ShareKernelHalfWith(AddressSpaceManager manager) => _kernelHalfSharer = manager;

    /// <summary>After a write to the level-4 entry <paramref name="level4Entry"/> of this table (<paramref name="created"/>:
    /// it was unused, else its flags changed): if it is a kernel-half entry and address spaces share them, they get
    /// the new value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Level4EntryWritten(PageTableEntry* level4Entry, bool created)
    {
        if (_kernelHalfSharer != null)
            ReportKernelEntry(level4Entry, created);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ReportKernelEntry(PageTableEntry* level4Entry, bool created)
    {
        long index = level4Entry - (PageTableEntry*)_level4;
        if (index >= AddressSpaceManager.KernelHalfFirstEntry && index < PageTable.EntryCount)
            _kernelHalfSharer!.KernelEntryWritten((int)index, created);
    }

    /// <summary>True for a level-4 entry whose level-3 table must stay: a kernel-half one while shared.</summary>
    private bool KeepsLevel3Table(PageTableEntry* level4Entry)
        => _kernelHalfSharer != null && level4Entry - (PageTableEntry*)_level4 >= AddressSpaceManager.KernelHalfFirstEntry;
}
