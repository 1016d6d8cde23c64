using System;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using StrixOS.Memory;

namespace StrixOS.Boot;

/// <summary>
/// Reads the multiboot2 boot information structure (the one EBX points at on entry). Every length is checked
/// before it is used, so any byte sequence gives either a result or an error value, never an exception.
/// </summary>
public static class Multiboot2
{
    /// <summary>The largest total_size accepted. GRUB's structures are a few KiB; an EFI map of 4096
    /// descriptors still fits.</summary>
    public const uint MaxTotalSize = 1024 * 1024;
    public const int MaxMemoryMapEntries = 4096;
    public const int MaxModules = 256;

    private const int HeaderSize = 8;
    private const int TagHeaderSize = 8;
    private const int EndTagSize = 8;
    private const int MinimumTotalSize = HeaderSize + EndTagSize;
    private const int MemoryMapHeaderSize = 16;
    private const int MemoryMapEntrySize = 24;
    private const int EfiDescriptorSize = 40;
    private const int ModuleHeaderSize = 16;
    private const int BasicMemoryInfoSize = 16;
    private const int RsdpV1Size = 20;
    private const int RsdpV2Size = 36;
    private const ulong EfiPageSize = 4096;

    /// <summary>
    /// Reads total_size from the structure at <paramref name="info"/> and checks it can be parsed: non-null,
    /// 8-byte aligned, at least a header and an end tag, at most <see cref="MaxTotalSize"/>. Only the first
    /// 4 bytes are read. The kernel then makes a span of exactly <paramref name="totalSize"/> bytes.
    /// </summary>
    public static unsafe bool TryGetTotalSize(byte* info, out uint totalSize, out BootInfoError error)
    {
        totalSize = 0;
        if (info == null)
        {
            error = new BootInfoError(BootInfoErrorKind.NullPointer);
            return false;
        }
        if (((ulong)info & 7) != 0)
        {
            error = new BootInfoError(BootInfoErrorKind.MisalignedInfo, value: (ulong)info);
            return false;
        }
        uint size = *(uint*)info;
        error = CheckTotalSize(size);
        if (error.IsNone && (ulong)info > ulong.MaxValue - size)
            error = new BootInfoError(BootInfoErrorKind.TotalSizeTooLarge, value: size, limit: ulong.MaxValue - (ulong)info);
        if (!error.IsNone)
            return false;
        totalSize = size;
        return true;
    }

    private static BootInfoError CheckTotalSize(uint totalSize)
    {
        if (totalSize < MinimumTotalSize)
            return new BootInfoError(BootInfoErrorKind.TooSmall, value: totalSize, limit: MinimumTotalSize);
        if (totalSize > MaxTotalSize)
            return new BootInfoError(BootInfoErrorKind.TotalSizeTooLarge, value: totalSize, limit: MaxTotalSize);
        return default;
    }

    /// <summary>
    /// Parses the structure. Tags are walked at 8-byte alignment up to the end tag. Tag 17 (EFI memory map) is
    /// the memory map source when present, else tag 6. Unknown tags are skipped; of repeated command line,
    /// loader name or basic memory tags the first counts; a repeated memory map tag is an error.
    /// </summary>
    public static Result<Multiboot2Info, BootInfoError> Parse(ReadOnlySpan<byte> info)
        => TryParse(info, out Multiboot2Info? parsed, out BootInfoError error) ? parsed : error;

    private static bool TryParse(ReadOnlySpan<byte> info, [NotNullWhen(true)] out Multiboot2Info? parsed, out BootInfoError error)
    {
        parsed = null;
        if (info.Length < HeaderSize)
        {
            error = new BootInfoError(BootInfoErrorKind.TooSmall, value: (ulong)info.Length, limit: MinimumTotalSize);
            return false;
        }
        uint totalSize = ReadU32(info, 0);
        error = CheckTotalSize(totalSize);
        if (!error.IsNone)
            return false;
        if (totalSize > (uint)info.Length)
        {
            error = new BootInfoError(BootInfoErrorKind.Truncated, value: totalSize, limit: (ulong)info.Length);
            return false;
        }
        info = info.Slice(0, (int)totalSize);

        var result = new Multiboot2Info { TotalSize = totalSize, Reserved = ReadU32(info, 4) };
        int modules = 0;   // validated during the walk, read in Finish: an array of the right size, no List growth
        int memoryMapOffset = -1;
        int efiMemoryMapOffset = -1;
        int rsdpV1Offset = -1;
        int rsdpV2Offset = -1;
        bool haveCommandLine = false;
        bool haveLoaderName = false;

        int offset = HeaderSize;
        while (true)
        {
            if (offset > info.Length - TagHeaderSize)
            {
                error = new BootInfoError(BootInfoErrorKind.MissingEndTag, offset: (uint)offset, limit: totalSize);
                return false;
            }
            uint type = ReadU32(info, offset);
            uint size = ReadU32(info, offset + 4);
            if (size < TagHeaderSize)
            {
                error = new BootInfoError(BootInfoErrorKind.TagTooSmall, type, (uint)offset, size, TagHeaderSize);
                return false;
            }
            if (size > (uint)(info.Length - offset))
            {
                error = new BootInfoError(BootInfoErrorKind.TagPastEnd, type, (uint)offset, size, totalSize);
                return false;
            }
            ReadOnlySpan<byte> tag = info.Slice(offset, (int)size);

            switch ((Multiboot2TagType)type)
            {
                case Multiboot2TagType.End:
                    if (size != EndTagSize)
                    {
                        error = new BootInfoError(BootInfoErrorKind.BadEndTag, type, (uint)offset, size, EndTagSize);
                        return false;
                    }
                    return Finish(info, result, modules, memoryMapOffset, efiMemoryMapOffset, rsdpV1Offset,
                        rsdpV2Offset, out parsed, out error);
                case Multiboot2TagType.CommandLine:
                    if (!haveCommandLine)
                        result.CommandLine = ReadString(tag.Slice(TagHeaderSize));
                    haveCommandLine = true;
                    break;
                case Multiboot2TagType.BootLoaderName:
                    if (!haveLoaderName)
                        result.BootLoaderName = ReadString(tag.Slice(TagHeaderSize));
                    haveLoaderName = true;
                    break;
                case Multiboot2TagType.Module:
                    error = CheckModule(tag, offset, modules);
                    if (!error.IsNone)
                        return false;
                    modules++;
                    break;
                case Multiboot2TagType.BasicMemoryInfo:
                    if (size < BasicMemoryInfoSize)
                    {
                        error = new BootInfoError(BootInfoErrorKind.TagTooSmall, type, (uint)offset, size, BasicMemoryInfoSize);
                        return false;
                    }
                    result.BasicMemoryInfo ??= new BasicMemoryInfo(ReadU32(tag, 8), ReadU32(tag, 12));
                    break;
                case Multiboot2TagType.MemoryMap:
                    error = CheckMemoryMapTag(tag, offset, MemoryMapEntrySize, memoryMapOffset);
                    if (!error.IsNone)
                        return false;
                    memoryMapOffset = offset;
                    break;
                case Multiboot2TagType.EfiMemoryMap:
                    error = CheckMemoryMapTag(tag, offset, EfiDescriptorSize, efiMemoryMapOffset);
                    if (!error.IsNone)
                        return false;
                    efiMemoryMapOffset = offset;
                    break;
                case Multiboot2TagType.AcpiOldRsdp:
                    error = CheckRsdpTag(tag, offset, RsdpV1Size);
                    if (!error.IsNone)
                        return false;
                    if (rsdpV1Offset < 0)
                        rsdpV1Offset = offset;
                    break;
                case Multiboot2TagType.AcpiNewRsdp:
                    error = CheckRsdpTag(tag, offset, RsdpV2Size);
                    if (!error.IsNone)
                        return false;
                    if (rsdpV2Offset < 0)
                        rsdpV2Offset = offset;
                    break;
                case Multiboot2TagType.EfiBootServicesNotTerminated:
                    result.EfiBootServicesActive = true;
                    break;
            }
            // size <= info.Length - offset <= MaxTotalSize, so this cannot overflow.
            offset += (int)((size + 7) & ~7u);
        }
    }

    private static bool Finish(
        ReadOnlySpan<byte> info, Multiboot2Info result, int modules, int memoryMapOffset,
        int efiMemoryMapOffset, int rsdpV1Offset, int rsdpV2Offset,
        [NotNullWhen(true)] out Multiboot2Info? parsed, out BootInfoError error)
    {
        parsed = null;
        error = default;
        if (efiMemoryMapOffset >= 0)
        {
            result.MemoryMapSource = MemoryMapSource.EfiMmap;
            result.SetFirmwareMemoryMap(ReadEfiMemoryMap(info, efiMemoryMapOffset, result.EfiBootServicesActive));
        }
        else if (memoryMapOffset >= 0)
        {
            // Tag 6 marks boot-services memory available even while boot services still use it.
            if (result.EfiBootServicesActive)
            {
                error = new BootInfoError(BootInfoErrorKind.BootServicesNotExited, (uint)Multiboot2TagType.MemoryMap, (uint)memoryMapOffset);
                return false;
            }
            result.MemoryMapSource = MemoryMapSource.Multiboot2Mmap;
            result.SetFirmwareMemoryMap(ReadMemoryMap(info, memoryMapOffset));
        }
        else
        {
            error = new BootInfoError(BootInfoErrorKind.NoMemoryMap);
            return false;
        }

        int rsdpOffset = rsdpV2Offset >= 0 ? rsdpV2Offset : rsdpV1Offset;
        if (rsdpOffset >= 0)
        {
            ReadOnlySpan<byte> rsdp = info.Slice(rsdpOffset + TagHeaderSize);
            int length = rsdpV2Offset >= 0 ? (int)ReadU32(rsdp, 20) : RsdpV1Size;
            result.SetRsdp(rsdp.Slice(0, length).ToArray());
            result.RsdpOffset = (uint)(rsdpOffset + TagHeaderSize);
            result.RsdpRevision = rsdp[15];
        }
        result.SetModules(ReadModules(info, modules));
        parsed = result;
        return true;
    }

    /// <summary>The module tags of an information structure the walk in <see cref="TryParse"/> checked, in order.</summary>
    private static BootModule[] ReadModules(ReadOnlySpan<byte> info, int count)
    {
        if (count == 0)
            return [];
        var modules = new BootModule[count];
        int found = 0;
        for (int offset = HeaderSize; found < count; offset += (int)((ReadU32(info, offset + 4) + 7) & ~7u))
        {
            if (ReadU32(info, offset) != (uint)Multiboot2TagType.Module)
                continue;
            ReadOnlySpan<byte> tag = info.Slice(offset, (int)ReadU32(info, offset + 4));
            modules[found++] = new BootModule(ReadU32(tag, 8), ReadU32(tag, 12), ReadString(tag.Slice(ModuleHeaderSize)));
        }
        return modules;
    }

    private static BootInfoError CheckModule(ReadOnlySpan<byte> tag, int offset, int modules)
    {
        if (tag.Length < ModuleHeaderSize)
            return new BootInfoError(BootInfoErrorKind.TagTooSmall, (uint)Multiboot2TagType.Module, (uint)offset, (ulong)tag.Length, ModuleHeaderSize);
        uint start = ReadU32(tag, 8);
        uint end = ReadU32(tag, 12);
        if (end < start)
            return new BootInfoError(BootInfoErrorKind.InvertedModule, (uint)Multiboot2TagType.Module, (uint)offset, start, end);
        if (modules == MaxModules)
            return new BootInfoError(BootInfoErrorKind.TooManyModules, (uint)Multiboot2TagType.Module, (uint)offset, (ulong)modules + 1, MaxModules);
        return default;
    }

    /// <summary>Checks a tag 6 or 17 header: size, no earlier tag of the type, entry size, whole entries, entry count.</summary>
    private static BootInfoError CheckMemoryMapTag(ReadOnlySpan<byte> tag, int offset, int minimumEntrySize, int earlierOffset)
    {
        uint type = ReadU32(tag, 0);
        if (tag.Length < MemoryMapHeaderSize)
            return new BootInfoError(BootInfoErrorKind.TagTooSmall, type, (uint)offset, (ulong)tag.Length, MemoryMapHeaderSize);
        if (earlierOffset >= 0)
            return new BootInfoError(BootInfoErrorKind.DuplicateMemoryMap, type, (uint)offset);
        uint entrySize = ReadU32(tag, 8);
        if (entrySize < minimumEntrySize)
            return new BootInfoError(BootInfoErrorKind.BadEntrySize, type, (uint)offset, entrySize, (ulong)minimumEntrySize);
        uint entryBytes = (uint)(tag.Length - MemoryMapHeaderSize);
        if (entryBytes % entrySize != 0)
            return new BootInfoError(BootInfoErrorKind.PartialEntry, type, (uint)offset, entryBytes, entrySize);
        if (entryBytes / entrySize > MaxMemoryMapEntries)
            return new BootInfoError(BootInfoErrorKind.TooManyMemoryMapEntries, type, (uint)offset, entryBytes / entrySize, MaxMemoryMapEntries);
        return default;
    }

    /// <summary>Decodes a tag 6 that <see cref="CheckMemoryMapTag"/> accepted.</summary>
    private static MemoryRegion[] ReadMemoryMap(ReadOnlySpan<byte> info, int offset)
    {
        ReadOnlySpan<byte> tag = info.Slice(offset, (int)ReadU32(info, offset + 4));
        // Accepted means entrySize >= 24 and a whole number of entries, so a non-zero count implies
        // entrySize is at most the tag's length.
        uint entrySize = ReadU32(tag, 8);
        int count = (int)((uint)(tag.Length - MemoryMapHeaderSize) / entrySize);
        var regions = new MemoryRegion[count];
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> entry = tag.Slice(MemoryMapHeaderSize + i * (int)entrySize, (int)entrySize);
            ulong start = ReadU64(entry, 0);
            ulong length = ReadU64(entry, 8);
            regions[i] = new MemoryRegion(start, SaturatingEnd(start, length), ToRegionType(ReadU32(entry, 16)));
        }
        return regions;
    }

    /// <summary>Decodes a tag 17 that <see cref="CheckMemoryMapTag"/> accepted, honouring descriptor_size.</summary>
    private static MemoryRegion[] ReadEfiMemoryMap(ReadOnlySpan<byte> info, int offset, bool bootServicesActive)
    {
        ReadOnlySpan<byte> tag = info.Slice(offset, (int)ReadU32(info, offset + 4));
        uint descriptorSize = ReadU32(tag, 8);
        int count = (int)((uint)(tag.Length - MemoryMapHeaderSize) / descriptorSize);
        var regions = new MemoryRegion[count];
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> descriptor = tag.Slice(MemoryMapHeaderSize + i * (int)descriptorSize, (int)descriptorSize);
            uint type = ReadU32(descriptor, 0);
            ulong start = ReadU64(descriptor, 8);
            ulong pages = ReadU64(descriptor, 24);
            ulong attribute = ReadU64(descriptor, 32);
            ulong length = pages > ulong.MaxValue / EfiPageSize ? ulong.MaxValue : pages * EfiPageSize;
            regions[i] = new MemoryRegion(start, SaturatingEnd(start, length),
                EfiMemoryTypeMapping.ToRegionType(type, attribute, bootServicesActive));
        }
        return regions;
    }

    /// <summary>Multiboot2 memory map types: 1 available, 3 ACPI reclaimable, 4 ACPI NVS, 5 bad RAM; any other
    /// value is reserved.</summary>
    public static MemoryRegionType ToRegionType(uint multibootType) => multibootType switch
    {
        1 => MemoryRegionType.Usable,
        3 => MemoryRegionType.AcpiReclaimable,
        4 => MemoryRegionType.AcpiNvs,
        5 => MemoryRegionType.BadMemory,
        _ => MemoryRegionType.Reserved,
    };

    /// <summary>An end past 2^64 is cut at 2^64 - 1; the normaliser clips far below that anyway.</summary>
    private static ulong SaturatingEnd(ulong start, ulong length) =>
        length > ulong.MaxValue - start ? ulong.MaxValue : start + length;

    /// <summary>Checks an RSDP tag: big enough, "RSD PTR " signature, ACPI 1.0 checksum, and for ACPI 2.0+ a
    /// Length field that covers the 2.0 structure and fits in the tag.</summary>
    private static BootInfoError CheckRsdpTag(ReadOnlySpan<byte> tag, int offset, int minimumRsdpSize)
    {
        uint type = ReadU32(tag, 0);
        if (tag.Length < TagHeaderSize + minimumRsdpSize)
            return new BootInfoError(BootInfoErrorKind.TagTooSmall, type, (uint)offset, (ulong)tag.Length, (ulong)(TagHeaderSize + minimumRsdpSize));
        ReadOnlySpan<byte> rsdp = tag.Slice(TagHeaderSize);
        // "RSD PTR " as a little-endian 64-bit number.
        if (ReadU64(rsdp, 0) != 0x2052545020445352UL)
            return new BootInfoError(BootInfoErrorKind.BadRsdp, type, (uint)offset);
        byte sum = 0;
        for (int i = 0; i < RsdpV1Size; i++)
            sum += rsdp[i];
        if (sum != 0)
            return new BootInfoError(BootInfoErrorKind.BadRsdp, type, (uint)offset);
        if (minimumRsdpSize == RsdpV2Size)
        {
            uint length = ReadU32(rsdp, 20);
            if (length < RsdpV2Size || length > (uint)rsdp.Length)
                return new BootInfoError(BootInfoErrorKind.BadRsdp, type, (uint)offset);
        }
        return default;
    }

    /// <summary>Bytes up to the first NUL (or the tag's end) as a string; anything but printable ASCII becomes
    /// '?', so the console never receives control characters from the boot loader.</summary>
    private static string ReadString(ReadOnlySpan<byte> bytes)
    {
        int length = 0;
        while (length < bytes.Length && bytes[length] != 0)
            length++;
        if (length == 0)
            return "";
        var chars = new char[length];
        for (int i = 0; i < length; i++)
        {
            byte b = bytes[i];
            chars[i] = b >= 0x20 && b < 0x7F ? (char)b : '?';
        }
        return new string(chars);
    }

    // Callers have checked that offset + 4 (or 8) lies inside the span.
    private static uint ReadU32(ReadOnlySpan<byte> bytes, int offset) =>
        BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(offset, 4));

    private static ulong ReadU64(ReadOnlySpan<byte> bytes, int offset) =>
        BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(offset, 8));
}
