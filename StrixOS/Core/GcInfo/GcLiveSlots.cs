namespace StrixOS.Runtime.GcInfo;

using StrixOS.Runtime.Unwinding;

/// <summary>Receives the slots that hold live references at a code offset.</summary>
public interface IGcSlotVisitor
{
    void Visit(in GcInfoHeader header, in GcSlot slot);
}

public enum GcLiveSlotsStatus
{
    Ok,
    /// <summary>The blob does not decode (out of the image, impossible counts).</summary>
    Corrupt,
    /// <summary>The offset is past the method's code.</summary>
    OutsideMethod,
}

/// <summary>How the live slots at one offset were found.</summary>
public struct GcLiveSlotsResult
{
    public GcLiveSlotsStatus Status;
    /// <summary>The offset is one of the method's safepoints (a call's return address).</summary>
    public bool AtSafePoint;
    /// <summary>The offset is inside a fully-interruptible range.</summary>
    public bool InInterruptibleRange;
    public uint Reported;
    /// <summary>Live slots left out because they do not survive a call (see <c>reportScratchSlots</c>).</summary>
    public uint ScratchSkipped;
    internal bool _reportScratch;
}

/// <summary>
/// The live GC slots of a method at a code offset, from its GC info (version 4, x64). For a frame
/// that made a call, the offset is that of the return address: version 4 records safepoints there.
/// Partially interruptible code lists safepoints with one live bit per tracked slot (plain, or
/// through an offset table and run-length coded); fully interruptible code has per-chunk (64 bytes
/// of code) live states and transitions. Untracked slots are live everywhere; a funclet's parent
/// frame and filter funclets pass <c>reportUntracked: false</c> so they are reported once.
/// A frame that is not the innermost one passes <c>reportScratchSlots: false</c>: at a return
/// address fully interruptible code may show a scratch register live (the call's result in rax),
/// but only callee-saved registers and the frame's own stack hold values across the call; the
/// outgoing-argument area at the bottom of the frame belongs to the callee.
/// Follows dotnet/runtime's gcinfodecoder.cpp (TGcInfoDecoder::EnumerateLiveSlots).
/// </summary>
public static class GcLiveSlots
{
    private const int PointerSizeBase = 3;
    private const int RleRunBase = 2;
    private const int RleSkipBase = 4;
    private const int InterruptibleRangeDelta1Base = 6;
    private const int InterruptibleRangeDelta2Base = 6;
    private const uint CodeOffsetsPerChunk = 64;
    private const int CodeOffsetsPerChunkLog2 = 6;

    public static GcLiveSlotsResult Enumerate<TVisitor>(ImageView image, ulong gcInfo, uint codeOffset, bool reportUntracked, bool reportScratchSlots, ref TVisitor visitor)
        where TVisitor : struct, IGcSlotVisitor
    {
        var result = new GcLiveSlotsResult();
        result._reportScratch = reportScratchSlots;
        if (!GcInfoHeader.TryDecode(image, gcInfo, out GcInfoHeader header, out GcInfoBitReader reader))
            return Fail(ref result, GcLiveSlotsStatus.Corrupt);
        if (codeOffset > header.CodeLength)
            return Fail(ref result, GcLiveSlotsStatus.OutsideMethod);

        // Safepoints are sorted: find this offset's index (NumSafePoints when it is not one).
        uint safePointIndex = header.NumSafePoints;
        int offsetBits = header.SafePointOffsetBits;
        for (uint i = 0; i < header.NumSafePoints; i++)
        {
            uint offset = (uint)reader.Read(offsetBits);
            if (offset == codeOffset)
            {
                safePointIndex = i;
                break;
            }
            if (offset > codeOffset)
                break;
        }
        reader.Position = header.SafePointsPosition + (ulong)header.NumSafePoints * (ulong)offsetBits;
        result.AtSafePoint = safePointIndex != header.NumSafePoints;

        // Interruptible ranges: where this offset falls in their concatenation.
        uint pseudoOffset = 0, interruptibleLength = 0, lastStop = 0;
        for (uint i = 0; i < header.NumInterruptibleRanges; i++)
        {
            uint start = lastStop + (uint)reader.DecodeVarLengthUnsigned(InterruptibleRangeDelta1Base);
            uint length = (uint)reader.DecodeVarLengthUnsigned(InterruptibleRangeDelta2Base) + 1;
            if (codeOffset >= start && codeOffset < start + length)
            {
                result.InInterruptibleRange = true;
                pseudoOffset = interruptibleLength + codeOffset - start;
            }
            interruptibleLength += length;
            lastStop = start + length;
        }
        if (reader.Failed)
            return Fail(ref result, GcLiveSlotsStatus.Corrupt);

        if (!GcSlotTable.TryDecode(ref reader, out GcSlotTable slots))
            return Fail(ref result, GcLiveSlotsStatus.Corrupt);
        GcSlotTable lookup = slots;
        uint tracked = slots.NumTracked;

        if (tracked > 0)
        {
            uint indirectBits = 0;
            if (header.NumSafePoints > 0 && reader.ReadBit() != 0)
                indirectBits = (uint)reader.DecodeVarLengthUnsigned(PointerSizeBase) + 1;

            if (result.AtSafePoint)
            {
                bool done = false;
                if (indirectBits != 0)
                {
                    ulong tablePosition = reader.Position;
                    reader.Skip((ulong)safePointIndex * indirectBits);
                    ulong liveStateOffset = reader.Read((int)indirectBits);
                    ulong liveStatesStart = (tablePosition + (ulong)header.NumSafePoints * indirectBits + 7) & ~7UL;
                    reader.Position = liveStatesStart + liveStateOffset;
                    if (reader.ReadBit() != 0)
                    {
                        if (!ReportRuns(ref reader, ref lookup, tracked, in header, ref visitor, ref result))
                            return Fail(ref result, GcLiveSlotsStatus.Corrupt);
                        done = true;
                    }
                }
                else
                {
                    reader.Skip((ulong)safePointIndex * tracked);
                }
                if (!done)
                {
                    for (uint slot = 0; slot < tracked; slot++)
                    {
                        if (reader.ReadBit() != 0 && !Report(ref lookup, slot, in header, ref visitor, ref result))
                            return Fail(ref result, GcLiveSlotsStatus.Corrupt);
                    }
                }
            }
            else
            {
                reader.Skip((ulong)header.NumSafePoints * tracked);
                if (header.NumInterruptibleRanges > 0
                    && !ReportInterruptible(ref reader, ref lookup, tracked, interruptibleLength, pseudoOffset, in header, ref visitor, ref result))
                    return Fail(ref result, GcLiveSlotsStatus.Corrupt);
            }
            if (reader.Failed)
                return Fail(ref result, GcLiveSlotsStatus.Corrupt);
        }

        if (reportUntracked)
        {
            for (uint slot = tracked; slot < slots.NumSlots; slot++)
            {
                if (!Report(ref lookup, slot, in header, ref visitor, ref result))
                    return Fail(ref result, GcLiveSlotsStatus.Corrupt);
            }
        }
        return result;
    }

    /// <summary>Run-length coded live bits: alternating runs of dead and live slots.</summary>
    private static bool ReportRuns<TVisitor>(ref GcInfoBitReader reader, ref GcSlotTable lookup, uint tracked, in GcInfoHeader header, ref TVisitor visitor, ref GcLiveSlotsResult result)
        where TVisitor : struct, IGcSlotVisitor
    {
        bool skip = reader.ReadBit() == 0;
        bool report = true;
        uint read = (uint)reader.DecodeVarLengthUnsigned(skip ? RleSkipBase : RleRunBase);
        skip = !skip;
        while (read < tracked)
        {
            uint count = (uint)reader.DecodeVarLengthUnsigned(skip ? RleSkipBase : RleRunBase) + 1;
            if (reader.Failed || count > tracked - read)
                return false;
            if (report)
            {
                for (uint slot = read; slot < read + count; slot++)
                {
                    if (!Report(ref lookup, slot, in header, ref visitor, ref result))
                        return false;
                }
            }
            read += count;
            skip = !skip;
            report = !report;
        }
        return read == tracked;
    }

    /// <summary>Fully interruptible code: the live state at the start of the offset's chunk plus its transitions.</summary>
    private static bool ReportInterruptible<TVisitor>(ref GcInfoBitReader reader, ref GcSlotTable lookup, uint tracked, uint interruptibleLength, uint pseudoOffset,
        in GcInfoHeader header, ref TVisitor visitor, ref GcLiveSlotsResult result)
        where TVisitor : struct, IGcSlotVisitor
    {
        uint chunks = (interruptibleLength + CodeOffsetsPerChunk - 1) / CodeOffsetsPerChunk;
        uint breakChunk = pseudoOffset / CodeOffsetsPerChunk;
        if (breakChunk >= chunks)
            return false;
        int pointerBits = (int)reader.DecodeVarLengthUnsigned(PointerSizeBase);
        if (pointerBits == 0)
            return !reader.Failed;
        if (pointerBits > 32)
            return false;
        ulong pointerTable = reader.Position;
        ulong chunkPointer;
        uint chunk = breakChunk;
        while (true)
        {
            reader.Position = pointerTable + (ulong)chunk * (ulong)pointerBits;
            chunkPointer = reader.Read(pointerBits);
            if (chunkPointer != 0)
                break;
            if (chunk == 0)
                return !reader.Failed;     // no chunk so far has live slots
            chunk--;
        }
        ulong chunksStart = (pointerTable + (ulong)chunks * (ulong)pointerBits + 7) & ~7UL;
        reader.Position = chunksStart + chunkPointer - 1;

        // Which slots could be live in this chunk: a bit vector, or run-length coded.
        GcInfoBitReader couldBeLive = reader;
        uint couldBeLiveCount = 0;
        if (reader.ReadBit() != 0)
        {
            bool skip = reader.ReadBit() == 0;
            bool report = true;
            uint read = (uint)reader.DecodeVarLengthUnsigned(skip ? RleSkipBase : RleRunBase);
            skip = !skip;
            while (read < tracked)
            {
                uint count = (uint)reader.DecodeVarLengthUnsigned(skip ? RleSkipBase : RleRunBase) + 1;
                if (reader.Failed)
                    return false;
                if (report)
                    couldBeLiveCount += count;
                read += count;
                skip = !skip;
                report = !report;
            }
        }
        else
        {
            for (uint i = 0; i < tracked; i++)
                couldBeLiveCount += reader.ReadBit();
        }
        if (reader.Failed || couldBeLiveCount > tracked)
            return false;

        // One bit per candidate: its state at the start of the chunk; then each one's transitions.
        GcInfoBitReader finalState = reader;
        reader.Skip(couldBeLiveCount);
        uint slotIndex = 0;
        bool simple = couldBeLive.ReadBit() == 0;
        bool skipFirst = false;
        uint runLeft = 0;
        if (!simple)
        {
            skipFirst = couldBeLive.ReadBit() == 0;
            slotIndex = uint.MaxValue;
        }
        uint offsetInChunk = pseudoOffset % CodeOffsetsPerChunk;
        for (uint i = 0; i < couldBeLiveCount; i++)
        {
            if (simple)
            {
                while (couldBeLive.ReadBit() == 0)
                {
                    slotIndex++;
                    if (couldBeLive.Failed || slotIndex >= tracked)
                        return false;
                }
            }
            else if (runLeft > 0)
            {
                runLeft--;
            }
            else if (skipFirst)
            {
                slotIndex += (uint)couldBeLive.DecodeVarLengthUnsigned(RleSkipBase) + 1;
                runLeft = (uint)couldBeLive.DecodeVarLengthUnsigned(RleRunBase);
            }
            else
            {
                slotIndex += (uint)couldBeLive.DecodeVarLengthUnsigned(RleRunBase) + 1;
                runLeft = (uint)couldBeLive.DecodeVarLengthUnsigned(RleSkipBase);
            }
            uint live = finalState.ReadBit();
            if (chunk == breakChunk)
            {
                while (reader.ReadBit() != 0)
                {
                    uint transition = (uint)reader.Read(CodeOffsetsPerChunkLog2);
                    if (transition > offsetInChunk)
                        live ^= 1;
                    if (reader.Failed)
                        return false;
                }
            }
            if (couldBeLive.Failed || slotIndex >= tracked)
                return false;
            if (live != 0 && !Report(ref lookup, slotIndex, in header, ref visitor, ref result))
                return false;
            slotIndex++;
        }
        return !reader.Failed && !finalState.Failed;
    }

    private static bool Report<TVisitor>(ref GcSlotTable lookup, uint index, in GcInfoHeader header, ref TVisitor visitor, ref GcLiveSlotsResult result)
        where TVisitor : struct, IGcSlotVisitor
    {
        if (!lookup.TryGet(index, out GcSlot slot))
            return false;
        if (!result._reportScratch && IsScratch(in header, in slot))
        {
            result.ScratchSkipped++;
            return true;
        }
        visitor.Visit(in header, in slot);
        result.Reported++;
        return true;
    }

    /// <summary>Does the slot lose its value across a call (System V scratch register, outgoing-argument area)?</summary>
    public static bool IsScratch(in GcInfoHeader header, in GcSlot slot) =>
        slot.IsRegister ? !slot.IsCalleeSavedRegister : slot.Base == GcStackSlotBase.Sp && slot.Offset < header.StackScratchAreaSize;

    private static GcLiveSlotsResult Fail(ref GcLiveSlotsResult result, GcLiveSlotsStatus status)
    {
        result.Status = status;
        return result;
    }
}
