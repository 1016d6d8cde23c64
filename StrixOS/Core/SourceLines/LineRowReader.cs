using System;

namespace StrixOS.SourceLines;

/// <summary>
/// Runs the line-number programs of a .debug_line section, unit after unit, and yields their rows
/// in order (DWARF 4, section 6.2: the state machine, its special, standard and extended opcodes).
/// Allocates nothing; a damaged section stops the walk with <see cref="Error"/> set.
/// </summary>
public ref struct LineRowReader
{
    private readonly ReadOnlySpan<byte> _section;
    private LineUnitHeader _unit;
    private LebCursor _cursor;
    private bool _inUnit;
    private int _nextUnit;
    private LineRow _state;

    public LineRowReader(ReadOnlySpan<byte> section)
    {
        _section = section;
        _unit = default;
        _cursor = default;
        _inUnit = false;
        _nextUnit = 0;
        _state = default;
        Error = LineTableError.None;
    }

    public LineTableError Error { get; private set; }

    /// <summary>The next row; false at the end of the section or on an error.</summary>
    public bool TryNext(out LineRow row)
    {
        row = default;
        while (Error == LineTableError.None)
        {
            if (!_inUnit && !EnterNextUnit())
                return false;
            if (_cursor.AtEnd)
            {
                _inUnit = false;
                continue;
            }
            if (Step(out row))
                return true;
            if (_cursor.Failed)
                Error = LineTableError.Truncated;
        }
        return false;
    }

    private bool EnterNextUnit()
    {
        // Units run back to back; a section may end in padding zeros.
        while (_nextUnit + 4 <= _section.Length && LineUnitHeader.ReadU32(_section, _nextUnit) == 0)
            _nextUnit += 4;
        if (_nextUnit + 4 > _section.Length)
            return false;
        Error = LineUnitHeader.TryRead(_section, _nextUnit, out _unit);
        if (Error != LineTableError.None)
            return false;
        _nextUnit = _unit.End;
        _cursor = new LebCursor(_section, _unit.Program, _unit.End);
        _inUnit = true;
        Reset();
        return true;
    }

    private void Reset()
    {
        _state = default;
        _state.File = 1;
        _state.Line = 1;
        _state.UnitOffset = _unit.Offset;
    }

    /// <summary>Runs one opcode; true when it appended a row.</summary>
    private bool Step(out LineRow row)
    {
        row = default;
        byte opcode = _cursor.U8();
        if (_cursor.Failed)
            return false;
        if (opcode >= _unit.OpcodeBase)
        {
            int adjusted = opcode - _unit.OpcodeBase;
            _state.Address += (ulong)(adjusted / _unit.LineRange * _unit.MinimumInstructionLength);
            _state.Line += _unit.LineBase + adjusted % _unit.LineRange;
            row = _state;
            return true;
        }
        switch (opcode)
        {
            case 0:
                return Extended(out row);
            case 1:                                                         // DW_LNS_copy
                row = _state;
                return true;
            case 2:                                                         // DW_LNS_advance_pc
                _state.Address += _cursor.Uleb128() * (ulong)_unit.MinimumInstructionLength;
                return false;
            case 3:                                                         // DW_LNS_advance_line
                _state.Line += (int)_cursor.Sleb128();
                return false;
            case 4:                                                         // DW_LNS_set_file
                _state.File = (int)_cursor.Uleb128();
                return false;
            case 8:                                                         // DW_LNS_const_add_pc
                _state.Address += (ulong)((255 - _unit.OpcodeBase) / _unit.LineRange * _unit.MinimumInstructionLength);
                return false;
            case 9:                                                         // DW_LNS_fixed_advance_pc
                _state.Address += _cursor.Fixed(2);
                return false;
            default:
                // set_column, negate_stmt, set_basic_block, prologue_end, epilogue_begin, set_isa and
                // opcodes newer than this reader: skip their operands as the header declares them.
                for (int i = _unit.OperandCount(_section, opcode); i > 0; i--)
                    _cursor.Uleb128();
                return false;
        }
    }

    private bool Extended(out LineRow row)
    {
        row = default;
        ulong length = _cursor.Uleb128();
        if (_cursor.Failed || length == 0)
            return false;
        int start = _cursor.Position;
        byte opcode = _cursor.U8();
        bool appended = false;
        switch (opcode)
        {
            case 1:                                                         // DW_LNE_end_sequence
                _state.EndSequence = true;
                row = _state;
                Reset();
                appended = true;
                break;
            case 2:                                                         // DW_LNE_set_address
                _state.Address = _cursor.Fixed((int)length - 1);
                break;
        }
        // define_file, set_discriminator and vendor opcodes: skip to the declared end.
        if (length > int.MaxValue)
        {
            _cursor.Failed = true;
            return false;
        }
        int consumed = _cursor.Position - start;
        if (consumed < (int)length)
            _cursor.Skip((int)length - consumed);
        return appended && !_cursor.Failed;
    }
}
