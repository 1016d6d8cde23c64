using System;

namespace StrixOS.Memory;

/// <summary>The flag bits of a page-table entry (bits 12..51 hold the physical address instead).</summary>
[Flags]
public enum PageTableFlags : ulong
{
    None = 0,
    Present = 1UL << 0,
    Writable = 1UL << 1,
    /// <summary>Ring 3 may access the memory (needed at every level of the walk).</summary>
    UserAccessible = 1UL << 2,
    WriteThrough = 1UL << 3,
    NoCache = 1UL << 4,
    /// <summary>Set by the CPU on any access.</summary>
    Accessed = 1UL << 5,
    /// <summary>Set by the CPU on a write (leaf entries only).</summary>
    Dirty = 1UL << 6,
    /// <summary>In a P3 or P2 entry: the entry maps a 1 GiB or 2 MiB page instead of pointing to a table.
    /// Managed by the mapper; in a P1 entry this bit means PAT.</summary>
    HugePage = 1UL << 7,
    /// <summary>The TLB keeps the translation across CR3 writes (kernel mappings).</summary>
    Global = 1UL << 8,
    Bit9 = 1UL << 9,
    Bit10 = 1UL << 10,
    Bit11 = 1UL << 11,
    Bit52 = 1UL << 52,
    Bit53 = 1UL << 53,
    Bit54 = 1UL << 54,
    Bit55 = 1UL << 55,
    Bit56 = 1UL << 56,
    Bit57 = 1UL << 57,
    Bit58 = 1UL << 58,
    Bit59 = 1UL << 59,
    Bit60 = 1UL << 60,
    Bit61 = 1UL << 61,
    Bit62 = 1UL << 62,
    /// <summary>Instruction fetches fault (needs EFER.NXE).</summary>
    NoExecute = 1UL << 63,
}
