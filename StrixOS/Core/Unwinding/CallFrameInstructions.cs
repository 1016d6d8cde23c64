namespace StrixOS.Runtime.Unwinding;

/// <summary>
/// Runs DWARF call-frame instructions (DW_CFA_*) to the row for one code address. ILC describes
/// prologs only (x64 methods do not move the stack pointer in their bodies), with advance_loc,
/// def_cfa*, offset and nop; the other register rules a C compiler might use fail the decode
/// rather than unwinding wrongly.
/// </summary>
public static class CallFrameInstructions
{
    /// <summary>The row in effect at <paramref name="pc"/> (an address inside the FDE's range).</summary>
    public static bool TryComputeRow(ImageView image, in FrameDescription fde, ulong pc, out UnwindRow row)
    {
        row = default;
        row.CfaRegister = -1;
        ulong location = fde.PcStart;
        if (!Run(image, fde, fde.CieInstructions, fde.CieInstructionsEnd, ulong.MaxValue, ref location, ref row, default))
            return false;
        UnwindRow initial = row;
        location = fde.PcStart;
        if (!Run(image, fde, fde.Instructions, fde.InstructionsEnd, pc, ref location, ref row, initial))
            return false;
        return row.CfaRegister >= 0;
    }

    private static unsafe bool Run(ImageView image, in FrameDescription fde, ulong start, ulong end, ulong pc,
                                   ref ulong location, ref UnwindRow row, UnwindRow initial)
    {
        var cursor = new DwarfCursor(image, start, end);
        while (!cursor.AtEnd && !cursor.Failed)
        {
            byte op = cursor.U8();
            int low = op & 0x3F;
            ulong advance = 0;
            switch (op >> 6)
            {
                case 1:                                            // DW_CFA_advance_loc
                    advance = (ulong)low;
                    break;
                case 2:                                            // DW_CFA_offset
                    if (!Save(ref row, low, (long)cursor.Uleb128() * fde.DataAlignment))
                        return false;
                    continue;
                case 3:                                            // DW_CFA_restore
                    if (!Restore(ref row, low, initial))
                        return false;
                    continue;
                default:
                    switch (op)
                    {
                        case 0x00: continue;                                          // nop
                        case 0x02: advance = cursor.U8(); break;                      // advance_loc1
                        case 0x03: advance = cursor.U16(); break;                     // advance_loc2
                        case 0x04: advance = cursor.U32(); break;                     // advance_loc4
                        case 0x05:                                                    // offset_extended
                        {
                            int register = (int)cursor.Uleb128();
                            if (!Save(ref row, register, (long)cursor.Uleb128() * fde.DataAlignment))
                                return false;
                            continue;
                        }
                        case 0x06:                                                    // restore_extended
                            if (!Restore(ref row, (int)cursor.Uleb128(), initial))
                                return false;
                            continue;
                        case 0x07:                                                    // undefined
                        case 0x08:                                                    // same_value
                        {
                            int register = (int)cursor.Uleb128();
                            if (register >= UnwindRow.RegisterCount)
                                return false;
                            row.SavedMask &= ~(1u << register);
                            continue;
                        }
                        case 0x0C:                                                    // def_cfa
                            row.CfaRegister = (int)cursor.Uleb128();
                            row.CfaOffset = (long)cursor.Uleb128();
                            continue;
                        case 0x0D: row.CfaRegister = (int)cursor.Uleb128(); continue; // def_cfa_register
                        case 0x0E: row.CfaOffset = (long)cursor.Uleb128(); continue;  // def_cfa_offset
                        case 0x11:                                                    // offset_extended_sf
                        {
                            int register = (int)cursor.Uleb128();
                            if (!Save(ref row, register, cursor.Sleb128() * fde.DataAlignment))
                                return false;
                            continue;
                        }
                        case 0x12:                                                    // def_cfa_sf
                            row.CfaRegister = (int)cursor.Uleb128();
                            row.CfaOffset = cursor.Sleb128() * fde.DataAlignment;
                            continue;
                        case 0x13: row.CfaOffset = cursor.Sleb128() * fde.DataAlignment; continue; // def_cfa_offset_sf
                        case 0x2E: cursor.Uleb128(); continue;                        // GNU_args_size
                        default: return false;
                    }
                    break;
            }
            if (cursor.Failed)
                return false;
            ulong next = location + advance * fde.CodeAlignment;
            if (next > pc)
                return true;
            location = next;
        }
        return !cursor.Failed;
    }

    private static unsafe bool Save(ref UnwindRow row, int register, long offset)
    {
        if (register < 0 || register >= UnwindRow.RegisterCount)
            return false;
        row.SavedMask |= 1u << register;
        row.SavedOffset[register] = offset;
        return true;
    }

    private static unsafe bool Restore(ref UnwindRow row, int register, UnwindRow initial)
    {
        if (register < 0 || register >= UnwindRow.RegisterCount)
            return false;
        if (initial.IsSaved(register))
        {
            row.SavedMask |= 1u << register;
            row.SavedOffset[register] = initial.SavedOffset[register];
        }
        else
        {
            row.SavedMask &= ~(1u << register);
        }
        return true;
    }
}
