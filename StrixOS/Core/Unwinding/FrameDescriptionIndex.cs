using System;

namespace StrixOS.Runtime.Unwinding;

/// <summary>
/// Finds the FDE that covers a code address. ld writes no .eh_frame_hdr search table for the
/// kernel, so this builds one: every FDE's start address and record, sorted by start address,
/// searched by bisection; the FDE found says where it ends.
/// <para>Both are kept as 32-bit offsets (from the lowest start, and from the section's start): 8 bytes per
/// FDE, not 24. An exception thrown before the kernel heap exists builds this in the early heap
/// (256 KiB, boot.asm), where the test image's 10,000 FDEs took 240 KiB as three arrays of addresses.</para>
/// </summary>
public sealed class FrameDescriptionIndex
{
    private readonly EhFrameSection _section;
    private readonly ulong _lowestStart;
    private readonly uint[] _starts;   // start - _lowestStart, ascending
    private readonly uint[] _records;  // record - section start

    private FrameDescriptionIndex(EhFrameSection section, ulong lowestStart, uint[] starts, uint[] records)
    {
        _section = section;
        _lowestStart = lowestStart;
        _starts = starts;
        _records = records;
    }

    public EhFrameSection Section => _section;
    public int Count => _starts.Length;

    /// <summary>Indexes every FDE of the section; null when a record does not decode, or when the code or the
    /// section spans 4 GiB or more (no kernel image does).</summary>
    public static FrameDescriptionIndex? Build(EhFrameSection section)
    {
        int count = 0;
        ulong lowest = ulong.MaxValue, highest = 0;
        for (ulong record = section.Start; record < section.End;)
        {
            if (!section.TryReadRecord(record, out ulong next, out bool isFde))
                break;
            if (isFde)
            {
                if (!section.TryReadFde(record, out FrameDescription fde))
                    return null;
                count++;
                if (fde.PcStart < lowest)
                    lowest = fde.PcStart;
                if (fde.PcStart > highest)
                    highest = fde.PcStart;
            }
            record = next;
        }
        if (count > 0 && (highest - lowest > uint.MaxValue || section.End - section.Start > uint.MaxValue))
            return null;
        var starts = new uint[count];
        var records = new uint[count];
        int i = 0;
        bool sorted = true;
        for (ulong record = section.Start; record < section.End && i < count;)
        {
            section.TryReadRecord(record, out ulong next, out bool isFde);
            if (isFde)
            {
                section.TryReadFde(record, out FrameDescription fde);
                starts[i] = (uint)(fde.PcStart - lowest);
                records[i] = (uint)(record - section.Start);
                if (i > 0 && starts[i] < starts[i - 1])
                    sorted = false;
                i++;
            }
            record = next;
        }
        if (!sorted)
            Array.Sort(starts, records);   // ld keeps input order, usually sorted already
        return new FrameDescriptionIndex(section, lowest, starts, records);
    }

    /// <summary>The FDE covering <paramref name="pc"/>, if any.</summary>
    public bool TryFind(ulong pc, out FrameDescription fde)
    {
        fde = default;
        if (pc < _lowestStart || pc - _lowestStart > uint.MaxValue)
            return false;
        uint key = (uint)(pc - _lowestStart);
        int low = 0, high = _starts.Length - 1;
        while (low <= high)
        {
            int middle = low + ((high - low) >> 1);
            if (_starts[middle] <= key)
                low = middle + 1;
            else
                high = middle - 1;
        }
        if (high < 0 || !_section.TryReadFde(RecordAt(high), out fde))
            return false;
        if (pc >= fde.PcEnd)
        {
            fde = default;
            return false;
        }
        return true;
    }

    /// <summary>The record address of the i-th FDE in address order.</summary>
    public ulong RecordAt(int i) => _section.Start + _records[i];
}
