namespace StrixOS.Runtime.GcInfo;

using StrixOS.Runtime.Unwinding;

/// <summary>Receives the offset (from the object's MethodTable pointer) of each reference field.</summary>
public interface IReferenceOffsetVisitor
{
    void Visit(ulong offset);
}

/// <summary>
/// Where an object's references are, from the GCDesc ILC writes just below each MethodTable that
/// has the HasPointers flag: at MT-8 a series count n. For n &gt; 0, n series (size, start offset)
/// of 16 bytes each lie below it, highest first; a series covers size + the object's size bytes
/// from its start (so an array of references stores -base size and grows with the length). For
/// n &lt; 0 (arrays of structs) one start offset at MT-16 and -n (pointer count, skip bytes) pairs
/// of 4-byte halves at MT-24, MT-32, ... repeat over the elements up to the object's end.
/// Offsets count from the MethodTable pointer; the object's size includes its 8-byte header.
/// Layout as read in dotnet/runtime's gcdesc.h and gc.cpp (go_through_object).
/// </summary>
public static class GcDescriptor
{
    public const uint HasPointersFlag = 0x01000000;
    public const uint HasComponentSizeFlag = 0x80000000;
    private const ulong ObjectHeaderSize = 8;

    public static uint Flags(ImageView image, ulong methodTable) => image.U32(methodTable);
    public static uint BaseSize(ImageView image, ulong methodTable) => image.U32(methodTable + 4);

    public static uint ComponentSize(ImageView image, ulong methodTable)
    {
        uint flags = Flags(image, methodTable);
        return (flags & HasComponentSizeFlag) != 0 ? flags & 0xFFFF : 0;
    }

    /// <summary>Visits each reference offset of an object of <paramref name="objectSize"/> bytes; false if the GCDesc is malformed.</summary>
    public static bool Enumerate<TVisitor>(ImageView image, ulong methodTable, ulong objectSize, ref TVisitor visitor)
        where TVisitor : struct, IReferenceOffsetVisitor
    {
        if ((Flags(image, methodTable) & HasPointersFlag) == 0)
            return true;
        if (!image.Contains(methodTable - 8, 8))
            return false;
        long series = (long)image.U64(methodTable - 8);
        ulong end = objectSize - ObjectHeaderSize;          // offsets count from the MT pointer
        if (series > 0)
        {
            if (series > 4096 || !image.Contains(methodTable - 8 - (ulong)series * 16, (ulong)series * 16))
                return false;
            for (long i = 0; i < series; i++)
            {
                ulong entry = methodTable - 8 - (ulong)(i + 1) * 16;
                ulong bytes = image.U64(entry) + objectSize;   // stored as size - object size
                ulong start = image.U64(entry + 8);
                if (start < 8 || (start & 7) != 0 || (bytes & 7) != 0 || start + bytes > end)
                    return false;
                for (ulong offset = start; offset < start + bytes; offset += 8)
                    visitor.Visit(offset);
            }
            return true;
        }
        if (series == 0 || series < -4096)
            return false;
        ulong pairs = (ulong)(-series);
        if (!image.Contains(methodTable - 16 - pairs * 8, pairs * 8 + 8))
            return false;
        ulong cursor = image.U64(methodTable - 16);
        if (cursor < 8 || (cursor & 7) != 0)
            return false;
        while (cursor < end)
        {
            for (ulong i = 0; i < pairs; i++)
            {
                ulong pair = methodTable - 24 - i * 8;
                uint pointers = image.U32(pair);
                uint skip = image.U32(pair + 4);
                if ((skip & 7) != 0 || pointers == 0 && skip == 0)
                    return false;
                for (uint p = 0; p < pointers; p++, cursor += 8)
                {
                    if (cursor + 8 > end)
                        return false;
                    visitor.Visit(cursor);
                }
                cursor += skip;
            }
        }
        return true;
    }
}
