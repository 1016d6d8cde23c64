using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using StrixOS.Memory.Heap;

namespace StrixOS.Tests.Heap;

/// <summary>
/// Heap memory for host tests: one native buffer that stands for the heap's virtual range. Grow checks every
/// call against the contract (aligned, inside the range, never grown twice), can be given a budget to make
/// the heap run out, and fills grown memory with garbage so a heap that forgets to zero is caught.
/// </summary>
public sealed unsafe class HostHeapBacking : IHeapBacking, IDisposable
{
    public const byte Garbage = 0xCD;

    private byte* _base;
    private readonly bool[] _mapped;

    public HostHeapBacking(ulong maxBytes, ulong budgetBytes = ulong.MaxValue)
    {
        MaxBytes = maxBytes;
        BudgetBytes = budgetBytes;
        _base = (byte*)NativeMemory.AlignedAlloc((nuint)maxBytes, 4096);
        _mapped = new bool[maxBytes / 4096];
    }

    /// <summary>The heap's start address: the buffer.</summary>
    public ulong Start => (ulong)_base;
    public ulong MaxBytes { get; }
    /// <summary>Grows that would pass this many mapped bytes are refused.</summary>
    public ulong BudgetBytes { get; set; }
    public ulong MappedBytes { get; private set; }
    public int Grows { get; private set; }
    public int RefusedGrows { get; private set; }
    public List<string> Violations { get; } = new();

    public HeapAllocator CreateHeap() => HeapAllocator.Create(Start, MaxBytes, this).Value;

    public bool Grow(ulong virtualStart, ulong bytes)
    {
        if (((virtualStart | bytes) & 0xFFF) != 0 || bytes == 0)
            Violations.Add($"Grow(0x{virtualStart:X}, {bytes}) is not page aligned");
        if (virtualStart < Start || bytes > MaxBytes || virtualStart - Start > MaxBytes - bytes)
        {
            Violations.Add($"Grow(0x{virtualStart:X}, {bytes}) leaves the heap range");
            return false;
        }
        if (MappedBytes + bytes > BudgetBytes)
        {
            RefusedGrows++;
            return false;
        }
        ulong first = (virtualStart - Start) / 4096;
        for (ulong page = first; page < first + bytes / 4096; page++)
        {
            if (_mapped[page])
                Violations.Add($"page {page} grown twice");
            _mapped[page] = true;
        }
        new Span<byte>((void*)virtualStart, (int)bytes).Fill(Garbage);
        MappedBytes += bytes;
        Grows++;
        return true;
    }

    public int Decommits { get; private set; }
    /// <summary>Pages the heap asked to decommit, mapped or not: the work a page-table backing does.</summary>
    public ulong DecommitPagesAsked { get; private set; }

    /// <summary>Maps the unmapped pages of a range that was grown before (filled with garbage, as a fresh frame would be).</summary>
    public bool Commit(ulong virtualStart, ulong bytes)
    {
        ulong first = (virtualStart - Start) / 4096;
        for (ulong page = first; page < first + bytes / 4096; page++)
        {
            if (_mapped[page])
                continue;
            if (MappedBytes + 4096 > BudgetBytes)
            {
                RefusedGrows++;
                return false;
            }
            _mapped[page] = true;
            MappedBytes += 4096;
            new Span<byte>((void*)(Start + page * 4096), 4096).Fill(Garbage);
        }
        return true;
    }

    /// <summary>Unmaps the mapped pages of a range; their contents are overwritten so a heap that reads them is caught.</summary>
    public ulong Decommit(ulong virtualStart, ulong bytes)
    {
        ulong first = (virtualStart - Start) / 4096;
        ulong given = 0;
        for (ulong page = first; page < first + bytes / 4096; page++)
        {
            if (!_mapped[page])
                continue;
            _mapped[page] = false;
            MappedBytes -= 4096;
            new Span<byte>((void*)(Start + page * 4096), 4096).Fill(0xDD);
            given++;
        }
        Decommits++;
        DecommitPagesAsked += bytes / 4096;
        return given;
    }

    public bool IsMapped(ulong address, ulong length)
    {
        for (ulong page = (address - Start) / 4096; page <= (address - Start + length - 1) / 4096; page++)
        {
            if (!_mapped[page])
                return false;
        }
        return true;
    }

    public Span<byte> Bytes(ulong address, ulong length) => new((void*)address, (int)length);

    public void Dispose()
    {
        if (_base != null)
        {
            NativeMemory.AlignedFree(_base);
            _base = null;
        }
    }
}
