using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Text;

namespace StrixOS.Tests.Boot;

/// <summary>One multiboot2 memory map entry (tag 6).</summary>
internal readonly record struct MmapEntry(ulong Base, ulong Length, uint Type);

/// <summary>One EFI_MEMORY_DESCRIPTOR (tag 17).</summary>
internal readonly record struct EfiDescriptor(uint Type, ulong PhysicalStart, ulong Pages, ulong Attribute = 0);

/// <summary>
/// Assembles multiboot2 information structures byte by byte, as GRUB lays them out: an 8-byte header, tags
/// padded to 8 bytes, an end tag. Size overrides let tests build malformed structures.
/// </summary>
internal sealed class Multiboot2Builder
{
    public const uint MmapAvailable = 1;
    public const uint MmapReserved = 2;
    public const uint MmapAcpiReclaimable = 3;
    public const uint MmapNvs = 4;
    public const uint MmapBad = 5;

    private readonly List<byte> _bytes = new() { 0, 0, 0, 0, 0, 0, 0, 0 };

    /// <summary>Offset where the next tag will start.</summary>
    public int Offset => _bytes.Count;

    public Multiboot2Builder Tag(uint type, ReadOnlySpan<byte> body, uint? sizeOverride = null)
    {
        AppendU32(type);
        AppendU32(sizeOverride ?? (uint)(8 + body.Length));
        foreach (byte b in body)
            _bytes.Add(b);
        while (_bytes.Count % 8 != 0)
            _bytes.Add(0);
        return this;
    }

    public Multiboot2Builder CommandLine(string text) => Tag(1, NulTerminated(text));

    public Multiboot2Builder BootLoaderName(string text) => Tag(2, NulTerminated(text));

    public Multiboot2Builder Module(uint start, uint end, string name)
    {
        var body = new List<byte>();
        AppendU32(body, start);
        AppendU32(body, end);
        body.AddRange(NulTerminated(name));
        return Tag(3, body.ToArray());
    }

    public Multiboot2Builder BasicMemoryInfo(uint lowerKiB, uint upperKiB)
    {
        var body = new List<byte>();
        AppendU32(body, lowerKiB);
        AppendU32(body, upperKiB);
        return Tag(4, body.ToArray());
    }

    public Multiboot2Builder MemoryMap(params MmapEntry[] entries) => MemoryMap(24, entries);

    /// <summary>Tag 6 with the given entry_size; entries longer than 24 bytes are zero-padded.</summary>
    public Multiboot2Builder MemoryMap(uint entrySize, params MmapEntry[] entries)
    {
        var body = new List<byte>();
        AppendU32(body, entrySize);
        AppendU32(body, 0);
        foreach (MmapEntry entry in entries)
        {
            var raw = new List<byte>();
            AppendU64(raw, entry.Base);
            AppendU64(raw, entry.Length);
            AppendU32(raw, entry.Type);
            AppendU32(raw, 0);
            while (raw.Count < entrySize)
                raw.Add(0);
            body.AddRange(raw.GetRange(0, (int)Math.Min(entrySize, (uint)raw.Count)));
        }
        return Tag(6, body.ToArray());
    }

    public Multiboot2Builder EfiMemoryMap(params EfiDescriptor[] descriptors) => EfiMemoryMap(48, descriptors);

    /// <summary>Tag 17 with the given descriptor_size (firmware uses 48: 8 bytes more than the structure).</summary>
    public Multiboot2Builder EfiMemoryMap(uint descriptorSize, params EfiDescriptor[] descriptors)
    {
        var body = new List<byte>();
        AppendU32(body, descriptorSize);
        AppendU32(body, 1);
        foreach (EfiDescriptor descriptor in descriptors)
        {
            var raw = new List<byte>();
            AppendU32(raw, descriptor.Type);
            AppendU32(raw, 0);
            AppendU64(raw, descriptor.PhysicalStart);
            AppendU64(raw, 0xDEAD_0000_0000UL); // VirtualStart: ignored, made conspicuous
            AppendU64(raw, descriptor.Pages);
            AppendU64(raw, descriptor.Attribute);
            while (raw.Count < descriptorSize)
                raw.Add(0xAA); // padding the parser must skip
            body.AddRange(raw.GetRange(0, (int)Math.Min(descriptorSize, (uint)raw.Count)));
        }
        return Tag(17, body.ToArray());
    }

    public Multiboot2Builder EfiBootServicesNotTerminated() => Tag(18, ReadOnlySpan<byte>.Empty);

    public Multiboot2Builder RsdpV1(uint rsdtAddress) => Tag(14, Rsdp(0, rsdtAddress, 0));

    public Multiboot2Builder RsdpV2(uint rsdtAddress, ulong xsdtAddress) => Tag(15, Rsdp(2, rsdtAddress, xsdtAddress));

    public Multiboot2Builder End(uint size = 8) => Tag(0, new byte[size > 8 ? size - 8 : 0], size);

    /// <summary>The structure with total_size set to its length, or to <paramref name="totalSizeOverride"/>.</summary>
    public byte[] Build(uint? totalSizeOverride = null)
    {
        byte[] result = _bytes.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(result, totalSizeOverride ?? (uint)result.Length);
        return result;
    }

    /// <summary>A valid RSDP: signature, checksums, and for revision 2 the 36-byte extended structure.</summary>
    public static byte[] Rsdp(byte revision, uint rsdtAddress, ulong xsdtAddress)
    {
        byte[] rsdp = new byte[revision >= 2 ? 36 : 20];
        Encoding.ASCII.GetBytes("RSD PTR ").CopyTo(rsdp, 0);
        Encoding.ASCII.GetBytes("STRIX ").CopyTo(rsdp, 9);
        rsdp[15] = revision;
        BinaryPrimitives.WriteUInt32LittleEndian(rsdp.AsSpan(16), rsdtAddress);
        rsdp[8] = Checksum(rsdp.AsSpan(0, 20));
        if (revision >= 2)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(rsdp.AsSpan(20), 36);
            BinaryPrimitives.WriteUInt64LittleEndian(rsdp.AsSpan(24), xsdtAddress);
            rsdp[32] = Checksum(rsdp);
        }
        return rsdp;
    }

    private static byte Checksum(ReadOnlySpan<byte> bytes)
    {
        byte sum = 0;
        foreach (byte b in bytes)
            sum += b;
        return (byte)(0x100 - sum);
    }

    private static byte[] NulTerminated(string text)
    {
        byte[] bytes = new byte[text.Length + 1];
        Encoding.Latin1.GetBytes(text).CopyTo(bytes, 0);
        return bytes;
    }

    private void AppendU32(uint value) => AppendU32(_bytes, value);

    private static void AppendU32(List<byte> list, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        foreach (byte b in bytes)
            list.Add(b);
    }

    private static void AppendU64(List<byte> list, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        foreach (byte b in bytes)
            list.Add(b);
    }
}
