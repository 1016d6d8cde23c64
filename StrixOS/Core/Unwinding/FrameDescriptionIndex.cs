using System;

namespace StrixOS.Runtime.Unwinding;

/// <summary>
/// Finds the FDE that covers a code address. ld writes no .eh_frame_hdr search table for the
/// kernel, so this builds one: every FDE's range, sorted by start address, searched by bisection.
/// </summary>
public sealed class FrameDescriptionIndex
{
    private readonly EhFrameSection _section;
    private readonly ulong[] _starts;
    private readonly ulong[] _ends;
    private readonly ulong[] _records;

    private FrameDescriptionIndex(EhFrameSection section, ulong[] starts, ulong[] ends, ulong[] records)
    {
        _section = section;
        _starts = starts;
        _ends = ends;
        _records = records;
    }

    public EhFrameSection Section => _section;
    public int Count => _starts.Length;

    /// <summary>Indexes every FDE of the section; null when a record does not decode.</summary>
    public static FrameDescriptionIndex? Build(EhFrameSection section)
    {
        int count = 0;
        for (ulong record = section.Start; record < section.End;)
        {
            if (!section.TryReadRecord(record, out ulong next, out bool isFde))
                break;
            if (isFde)
                count++;
            record = next;
        }
        var starts = new ulong[count];
        var ends = new ulong[count];
        var records = new ulong[count];
        int i = 0;
        bool sorted = true;
        for (ulong record = section.Start; record < section.End && i < count;)
        {
            section.TryReadRecord(record, out ulong next, out bool isFde);
            if (isFde)
            {
                if (!section.TryReadFde(record, out FrameDescription fde))
                    return null;
                starts[i] = fde.PcStart;
                ends[i] = fde.PcEnd;
                records[i] = record;
                if (i > 0 && starts[i] < starts[i - 1])
                    sorted = false;
                i++;
            }
            record = next;
        }
        if (!sorted)
        {
            // Sort the three arrays together by start address (ld keeps input order, usually sorted).
            var order = new int[count];
            for (int k = 0; k < count; k++)
                order[k] = k;
            var keys = (ulong[])starts.Clone();
            Array.Sort(keys, order);
            var sortedEnds = new ulong[count];
            var sortedRecords = new ulong[count];
            for (int k = 0; k < count; k++)
            {
                sortedEnds[k] = ends[order[k]];
                sortedRecords[k] = records[order[k]];
            }
            starts = keys;
            ends = sortedEnds;
            records = sortedRecords;
        }
        return new FrameDescriptionIndex(section, starts, ends, records);
    }

    /// <summary>The FDE covering <paramref name="pc"/>, if any.</summary>
    public bool TryFind(ulong pc, out FrameDescription fde)
    {
        fde = default;
        int low = 0, high = _starts.Length - 1;
        while (low <= high)
        {
            int middle = low + ((high - low) >> 1);
            if (_starts[middle] <= pc)
                low = middle + 1;
            else
                high = middle - 1;
        }
        if (high < 0 || pc >= _ends[high])
            return false;
        return _section.TryReadFde(_records[high], out fde);
    }

    /// <summary>The record address of the i-th FDE in address order.</summary>
    public ulong RecordAt(int i) => _records[i];
}
