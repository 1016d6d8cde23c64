using System;
using System.Collections.Generic;
using System.Text;
using StrixOS.Acpi;

namespace StrixOS.Tests.Acpi;

/// <summary>
/// Physical memory for ACPI parser tests: tables built byte by byte (header, body, checksum) and placed at
/// made-up addresses. Reads outside a placed table fail, as reads outside the offset map do in the kernel.
/// </summary>
internal sealed class AcpiImage : IPhysicalMemoryReader
{
    private readonly Dictionary<ulong, byte[]> _blocks = new();

    public void Place(ulong address, byte[] bytes) => _blocks[address] = bytes;

    public bool TryRead(ulong physicalAddress, Span<byte> destination)
    {
        foreach ((ulong start, byte[] bytes) in _blocks)
        {
            if (physicalAddress >= start && physicalAddress - start + (ulong)destination.Length <= (ulong)bytes.Length)
            {
                bytes.AsSpan((int)(physicalAddress - start), destination.Length).CopyTo(destination);
                return true;
            }
        }
        return false;
    }

    /// <summary>A table: 36-byte header (signature, length, revision, checksum, OEM fields) and the body.</summary>
    public static byte[] Table(string signature, byte[] body, byte revision = 1)
    {
        var t = new byte[36 + body.Length];
        Encoding.ASCII.GetBytes(signature).CopyTo(t, 0);
        BitConverter.GetBytes((uint)t.Length).CopyTo(t, 4);
        t[8] = revision;
        Encoding.ASCII.GetBytes("STRIXT").CopyTo(t, 10);
        body.CopyTo(t, 36);
        FixChecksum(t, 9, t.Length);
        return t;
    }

    public static void FixChecksum(byte[] bytes, int checksumOffset, int length)
    {
        bytes[checksumOffset] = 0;
        byte sum = 0;
        for (int i = 0; i < length; i++)
            sum += bytes[i];
        bytes[checksumOffset] = (byte)(0 - sum);
    }

    public static byte[] RsdpV1(uint rsdt)
    {
        var r = new byte[20];
        Encoding.ASCII.GetBytes("RSD PTR ").CopyTo(r, 0);
        Encoding.ASCII.GetBytes("STRIXT").CopyTo(r, 9);
        BitConverter.GetBytes(rsdt).CopyTo(r, 16);
        FixChecksum(r, 8, 20);
        return r;
    }

    public static byte[] RsdpV2(uint rsdt, ulong xsdt)
    {
        var r = new byte[36];
        Encoding.ASCII.GetBytes("RSD PTR ").CopyTo(r, 0);
        Encoding.ASCII.GetBytes("STRIXT").CopyTo(r, 9);
        r[15] = 2;
        BitConverter.GetBytes(rsdt).CopyTo(r, 16);
        FixChecksum(r, 8, 20);
        BitConverter.GetBytes(36u).CopyTo(r, 20);
        BitConverter.GetBytes(xsdt).CopyTo(r, 24);
        FixChecksum(r, 32, 36);
        return r;
    }

    public static byte[] Rsdt(params uint[] tables)
    {
        var body = new List<byte>();
        foreach (uint t in tables)
            body.AddRange(BitConverter.GetBytes(t));
        return Table("RSDT", body.ToArray());
    }

    public static byte[] Xsdt(params ulong[] tables)
    {
        var body = new List<byte>();
        foreach (ulong t in tables)
            body.AddRange(BitConverter.GetBytes(t));
        return Table("XSDT", body.ToArray());
    }

    /// <summary>QEMU's usual MADT: one CPU, one I/O APIC at 0xFEC00000, IRQ0 -> GSI 2, IRQ9 level/high.</summary>
    public static byte[] Madt(params byte[][] extraEntries)
    {
        var body = new List<byte>();
        body.AddRange(BitConverter.GetBytes(0xFEE00000u));
        body.AddRange(BitConverter.GetBytes(1u));
        body.AddRange(new byte[] { 0, 8, 0, 0, 1, 0, 0, 0 });                    // CPU 0, APIC 0, enabled
        body.AddRange(new byte[] { 1, 12, 0, 0, 0x00, 0x00, 0xC0, 0xFE, 0, 0, 0, 0 }); // I/O APIC 0 at FEC00000, GSI 0
        body.AddRange(new byte[] { 2, 10, 0, 0, 2, 0, 0, 0, 0, 0 });              // IRQ0 -> GSI2
        body.AddRange(new byte[] { 2, 10, 0, 9, 9, 0, 0, 0, 0x0D, 0 });           // IRQ9: level, active high
        foreach (byte[] e in extraEntries)
            body.AddRange(e);
        return Table("APIC", body.ToArray());
    }

    /// <summary>An ACPI 1.0 FADT (116 bytes) or, with <paramref name="withReset"/>, a 2.0 one with the reset register.</summary>
    public static byte[] Fadt(uint dsdt, bool withReset = false)
    {
        var body = new byte[(withReset ? 244 : 116) - 36];
        BitConverter.GetBytes(dsdt).CopyTo(body, 40 - 36);
        BitConverter.GetBytes((ushort)9).CopyTo(body, 46 - 36);
        BitConverter.GetBytes(0xB2u).CopyTo(body, 48 - 36);
        body[52 - 36] = 0xF1;
        BitConverter.GetBytes(0x604u).CopyTo(body, 64 - 36);
        body[89 - 36] = 2;
        if (withReset)
        {
            BitConverter.GetBytes((ushort)2).CopyTo(body, 109 - 36);
            BitConverter.GetBytes(1u << 10).CopyTo(body, 112 - 36);
            body[116 - 36] = 1;                                 // I/O space
            body[117 - 36] = 8;
            BitConverter.GetBytes(0xCF9UL).CopyTo(body, 120 - 36);
            body[128 - 36] = 0x0F;
        }
        return Table("FACP", body, revision: withReset ? (byte)3 : (byte)1);
    }

    public static byte[] Dsdt(byte[] aml) => Table("DSDT", aml);

    /// <summary>AML for <c>Name (_S5, Package (4) { 0x05, Zero, Zero, Zero })</c>.</summary>
    public static byte[] S5Aml(byte typeA = 5) => new byte[] { 0x10, 0x05, 0x08, 0x5C, (byte)'_', (byte)'S', (byte)'5', (byte)'_', 0x12, 0x08, 0x04, 0x0A, typeA, 0x00, 0x00, 0x00 };

    public static byte[] HpetTable()
    {
        var body = new byte[56 - 36];
        BitConverter.GetBytes(0x8086A201u).CopyTo(body, 0);   // 3 comparators, 64-bit counter
        BitConverter.GetBytes(0xFED00000UL).CopyTo(body, 40 - 36 + 4);
        BitConverter.GetBytes((ushort)128).CopyTo(body, 53 - 36);
        return Table("HPET", body);
    }
}
