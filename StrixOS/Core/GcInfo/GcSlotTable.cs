namespace StrixOS.Runtime.GcInfo;

/// <summary>
/// A method's GC slot table, read in order without storing it (the collector may not allocate):
/// first the registers, then the tracked stack slots, then the untracked ones. An entry repeats the
/// full encoding after an entry with flags; after one without flags it is a delta from it.
/// </summary>
public struct GcSlotTable
{
    private const int NumRegistersBase = 2;
    private const int NumStackSlotsBase = 2;
    private const int NumUntrackedBase = 1;
    private const int RegisterBase = 3;
    private const int RegisterDeltaBase = 2;
    private const int StackSlotBase = 6;
    private const int StackSlotDeltaBase = 4;

    public uint NumRegisters;
    public uint NumStackSlots;
    public uint NumUntracked;

    private GcInfoBitReader _cursor;
    private uint _next;
    private uint _previousRegister;
    private long _previousNormOffset;
    private byte _previousFlags;
    private GcSlot _current;

    public readonly uint NumTracked => NumRegisters + NumStackSlots;
    public readonly uint NumSlots => NumTracked + NumUntracked;

    /// <summary>Reads the counts and moves <paramref name="reader"/> past the whole table.</summary>
    public static bool TryDecode(ref GcInfoBitReader reader, out GcSlotTable table)
    {
        table = default;
        if (reader.ReadBit() != 0)
            table.NumRegisters = (uint)reader.DecodeVarLengthUnsigned(NumRegistersBase);
        if (reader.ReadBit() != 0)
        {
            table.NumStackSlots = (uint)reader.DecodeVarLengthUnsigned(NumStackSlotsBase);
            table.NumUntracked = (uint)reader.DecodeVarLengthUnsigned(NumUntrackedBase);
        }
        if (reader.Failed || table.NumSlots > 1u << 20)
            return false;
        table._cursor = reader;
        GcSlotTable skipper = table;
        for (uint i = 0; i < table.NumSlots; i++)
        {
            if (!skipper.TryNext(out _))
                return false;
        }
        reader = skipper._cursor;
        return true;
    }

    /// <summary>The slot with index <paramref name="index"/>; indices must not go down between calls.</summary>
    public bool TryGet(uint index, out GcSlot slot)
    {
        slot = _current;
        if (index + 1 == _next)
            return true;
        while (_next <= index)
        {
            if (!TryNext(out slot))
                return false;
        }
        return _next == index + 1;
    }

    private bool TryNext(out GcSlot slot)
    {
        slot = default;
        uint i = _next;
        if (i >= NumSlots)
            return false;
        if (i < NumRegisters)
        {
            slot.IsRegister = true;
            if (i == 0 || _previousFlags != 0)
            {
                _previousRegister = (uint)_cursor.DecodeVarLengthUnsigned(RegisterBase);
                _previousFlags = (byte)_cursor.Read(2);
            }
            else
            {
                _previousRegister += (uint)_cursor.DecodeVarLengthUnsigned(RegisterDeltaBase) + 1;
            }
            slot.Register = _previousRegister;
        }
        else
        {
            slot.Base = (GcStackSlotBase)_cursor.Read(2);
            // The first tracked and the first untracked stack slot are always encoded in full.
            if (i == NumRegisters || i == NumTracked || _previousFlags != 0)
            {
                _previousNormOffset = _cursor.DecodeVarLengthSigned(StackSlotBase);
                _previousFlags = (byte)_cursor.Read(2);
            }
            else
            {
                _previousNormOffset += (long)_cursor.DecodeVarLengthUnsigned(StackSlotDeltaBase);
            }
            slot.Offset = (int)(_previousNormOffset << 3);
            if (slot.Base > GcStackSlotBase.FrameRegister)
                return false;
        }
        slot.Flags = (GcSlotFlags)_previousFlags;
        if (i >= NumTracked)
            slot.Flags |= GcSlotFlags.Untracked;
        _next++;
        _current = slot;
        return !_cursor.Failed;
    }
}
