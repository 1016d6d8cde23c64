namespace StrixOS.Runtime.GcInfo;

using StrixOS.Runtime.Unwinding;

/// <summary>
/// The header of a method's GC info as ILC 10 writes it for x64 (GC info version 4: no return kind,
/// no PSPSym). A slim header (first bit 0) holds only a frame-register bit and the code length; a fat
/// header has 10 flag bits and optional fields. Both end with the safepoint count (the fat one also
/// with the number of fully-interruptible ranges); the safepoint offsets follow.
/// Layout as read in dotnet/runtime's gcinfodecoder.cpp and gcinfotypes.h (AMD64 encoding bases).
/// </summary>
public struct GcInfoHeader
{
    public const uint IsVarArgFlag = 0x1;
    public const uint HasSecurityObjectFlag = 0x2;      // gone in version 4
    public const uint HasGsCookieFlag = 0x4;
    public const uint HasPspSymFlag = 0x8;              // gone in version 4
    public const uint GenericsContextMask = 0x30;
    public const uint HasStackBaseRegisterFlag = 0x40;
    public const uint WantsReportOnlyLeafFlag = 0x80;
    public const uint HasEditAndContinueFlag = 0x100;
    public const uint ReversePInvokeFrameFlag = 0x200;
    private const int FlagBits = 10;

    public const uint NoStackBaseRegister = uint.MaxValue;
    public const int NoSlot = -1;

    // AMD64 encoding bases (gcinfotypes.h).
    internal const int CodeLengthBase = 8;
    internal const int NormPrologSizeBase = 5;
    internal const int NormEpilogSizeBase = 3;
    internal const int GsCookieSlotBase = 6;
    internal const int GenericsContextSlotBase = 6;
    internal const int StackBaseRegisterBase = 3;
    internal const int EditAndContinueAreaBase = 4;
    internal const int ReversePInvokeFrameBase = 6;
    internal const int StackAreaSizeBase = 3;
    internal const int NumSafePointsBase = 2;
    internal const int NumInterruptibleRangesBase = 1;

    public bool IsSlim;
    public uint Flags;
    public uint CodeLength;
    public int GsCookieSlot;
    public int GenericsContextSlot;
    /// <summary>Hardware register number of the frame register (5 = rbp), or <see cref="NoStackBaseRegister"/>.</summary>
    public uint StackBaseRegister;
    public int ReversePInvokeFrameSlot;
    /// <summary>Bytes at the bottom of the frame (outgoing arguments): their slots are scratch at a call.</summary>
    public uint StackScratchAreaSize;
    public uint NumSafePoints;
    public uint NumInterruptibleRanges;
    /// <summary>Bit position of the safepoint table.</summary>
    public ulong SafePointsPosition;

    /// <summary>Bits per safepoint offset: ceil(log2(code length)).</summary>
    public readonly int SafePointOffsetBits => CeilOfLog2(CodeLength);

    public static bool TryDecode(ImageView image, ulong address, out GcInfoHeader header, out GcInfoBitReader reader)
    {
        header = default;
        header.GsCookieSlot = NoSlot;
        header.GenericsContextSlot = NoSlot;
        header.ReversePInvokeFrameSlot = NoSlot;
        header.StackBaseRegister = NoStackBaseRegister;
        reader = new GcInfoBitReader(image, address);

        header.IsSlim = reader.ReadBit() == 0;
        if (header.IsSlim)
        {
            if (reader.ReadBit() != 0)
            {
                header.Flags = HasStackBaseRegisterFlag;
                header.StackBaseRegister = 0 ^ 5u;
            }
            header.CodeLength = (uint)reader.DecodeVarLengthUnsigned(CodeLengthBase);
        }
        else
        {
            header.Flags = (uint)reader.Read(FlagBits);
            // Version 4 dropped these two fields; a blob that claims them is not version 4.
            if ((header.Flags & (HasSecurityObjectFlag | HasPspSymFlag)) != 0)
                return false;
            header.CodeLength = (uint)reader.DecodeVarLengthUnsigned(CodeLengthBase);
            bool hasGenericsContext = (header.Flags & GenericsContextMask) != 0;
            if ((header.Flags & HasGsCookieFlag) != 0)
            {
                reader.DecodeVarLengthUnsigned(NormPrologSizeBase);
                reader.DecodeVarLengthUnsigned(NormEpilogSizeBase);
            }
            else if (hasGenericsContext)
            {
                reader.DecodeVarLengthUnsigned(NormPrologSizeBase);
            }
            if ((header.Flags & HasGsCookieFlag) != 0)
                header.GsCookieSlot = (int)reader.DecodeVarLengthSigned(GsCookieSlotBase) << 3;
            if (hasGenericsContext)
                header.GenericsContextSlot = (int)reader.DecodeVarLengthSigned(GenericsContextSlotBase) << 3;
            if ((header.Flags & HasStackBaseRegisterFlag) != 0)
                header.StackBaseRegister = (uint)reader.DecodeVarLengthUnsigned(StackBaseRegisterBase) ^ 5u;
            if ((header.Flags & HasEditAndContinueFlag) != 0)
                reader.DecodeVarLengthUnsigned(EditAndContinueAreaBase);
            if ((header.Flags & ReversePInvokeFrameFlag) != 0)
                header.ReversePInvokeFrameSlot = (int)reader.DecodeVarLengthSigned(ReversePInvokeFrameBase) << 3;
            header.StackScratchAreaSize = (uint)reader.DecodeVarLengthUnsigned(StackAreaSizeBase) << 3;
        }
        header.NumSafePoints = (uint)reader.DecodeVarLengthUnsigned(NumSafePointsBase);
        if (!header.IsSlim)
            header.NumInterruptibleRanges = (uint)reader.DecodeVarLengthUnsigned(NumInterruptibleRangesBase);
        header.SafePointsPosition = reader.Position;
        return !reader.Failed && header.CodeLength != 0;
    }

    /// <summary>The code offset of safepoint <paramref name="index"/> (version 4: the return address of the call).</summary>
    public readonly uint SafePointAt(GcInfoBitReader reader, uint index)
    {
        reader.Position = SafePointsPosition + (ulong)index * (ulong)SafePointOffsetBits;
        return (uint)reader.Read(SafePointOffsetBits);
    }

    internal static int CeilOfLog2(uint x)
    {
        if (x <= 1)
            return 0;
        int result = (x & (x - 1)) != 0 ? 1 : 0;
        while (x != 1)
        {
            result++;
            x >>= 1;
        }
        return result;
    }
}
