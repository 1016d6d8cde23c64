using System;
using StrixOS.Acpi;
using StrixOS.Memory;
using Xunit;

namespace StrixOS.Tests.Acpi;

public class AcpiTablesTests
{
    private const uint RsdtAt = 0x7FE0000, XsdtAt = 0x7FE1000, MadtAt = 0x7FE2000, FadtAt = 0x7FE3000, DsdtAt = 0x7FE4000, HpetAt = 0x7FE5000;

    private static AcpiImage QemuLike(bool withHpet = true)
    {
        var image = new AcpiImage();
        image.Place(RsdtAt, withHpet ? AcpiImage.Rsdt(FadtAt, MadtAt, HpetAt) : AcpiImage.Rsdt(FadtAt, MadtAt));
        image.Place(XsdtAt, AcpiImage.Xsdt(FadtAt, MadtAt));
        image.Place(MadtAt, AcpiImage.Madt());
        image.Place(FadtAt, AcpiImage.Fadt(DsdtAt));
        image.Place(DsdtAt, AcpiImage.Dsdt(AcpiImage.S5Aml()));
        image.Place(HpetAt, AcpiImage.HpetTable());
        return image;
    }

    [Fact]
    public void RsdtMachineGivesMadtFadtHpetAndS5()
    {
        Result<AcpiTables, AcpiError> r = AcpiTables.Parse(AcpiImage.RsdpV1(RsdtAt), QemuLike());
        Assert.True(r.IsOk, r.IsOk ? "" : r.Error.Describe());
        AcpiTables t = r.Value;
        Assert.False(t.UsesXsdt);
        Assert.Equal(new[] { "FACP", "APIC", "HPET" }, Array.ConvertAll(System.Linq.Enumerable.ToArray(t.Tables), e => e.Signature));
        Assert.Equal(0xFEE00000UL, t.Madt.LocalApicAddress);
        Assert.True(t.Madt.HasLegacyPics);
        Assert.Single(t.Madt.LocalApics);
        Assert.Equal(new MadtIoApic(0, 0xFEC00000, 0), Assert.Single(t.Madt.IoApics));
        Assert.Equal(2u, t.Madt.RouteIsaIrq(0).Gsi);
        Assert.Equal(1u, t.Madt.RouteIsaIrq(1).Gsi);
        Assert.True(t.Madt.RouteIsaIrq(9).LevelTriggered);
        Assert.False(t.Madt.RouteIsaIrq(9).ActiveLow);
        Assert.Equal((ushort)9, t.Fadt.SciInterrupt);
        Assert.Equal(0x604UL, t.Fadt.Pm1aControl.Address);
        Assert.Equal(GenericAddress.SystemIo, t.Fadt.Pm1aControl.AddressSpace);
        Assert.False(t.Fadt.Pm1bControl.IsPresent);
        Assert.False(t.Fadt.ResetSupported);
        Assert.Equal(new SleepState(5, 0), t.S5);
        Assert.NotNull(t.Hpet);
        Assert.Equal(0xFED00000UL, t.Hpet!.Value.BaseAddress.Address);
        Assert.Equal(3, t.Hpet.Value.Comparators);
        Assert.True(t.Hpet.Value.Counter64Bit);
        Assert.Contains("APIC", t.Describe());
    }

    [Fact]
    public void Revision2RsdpUsesTheXsdtAndAnAbsentHpetIsNoError()
    {
        AcpiImage image = QemuLike();
        image.Place(FadtAt, AcpiImage.Fadt(DsdtAt, withReset: true));
        Result<AcpiTables, AcpiError> r = AcpiTables.Parse(AcpiImage.RsdpV2(RsdtAt, XsdtAt), image);
        Assert.True(r.IsOk, r.IsOk ? "" : r.Error.Describe());
        Assert.True(r.Value.UsesXsdt);
        Assert.Null(r.Value.Hpet);
        Assert.True(r.Value.Fadt.ResetSupported);
        Assert.Equal(0xCF9UL, r.Value.Fadt.ResetRegister.Address);
        Assert.Equal((byte)0x0F, r.Value.Fadt.ResetValue);
        Assert.True(r.Value.Fadt.Has8042);
    }

    [Fact]
    public void MissingRsdpIsRefused() =>
        Assert.Equal(AcpiErrorKind.NoRsdp, AcpiTables.Parse(ReadOnlySpan<byte>.Empty, QemuLike()).Error.Kind);

    [Fact]
    public void RsdpWithABadChecksumIsRefused()
    {
        byte[] rsdp = AcpiImage.RsdpV1(RsdtAt);
        rsdp[16] ^= 1;
        Assert.Equal(AcpiErrorKind.BadRsdpChecksum, AcpiTables.Parse(rsdp, QemuLike()).Error.Kind);
    }

    [Fact]
    public void RsdpV2WithABadExtendedChecksumIsRefused()
    {
        byte[] rsdp = AcpiImage.RsdpV2(RsdtAt, XsdtAt);
        rsdp[24] ^= 0x10;   // XSDT address: outside the first 20 bytes, so only the extended checksum catches it
        Assert.Equal(AcpiErrorKind.BadRsdpChecksum, AcpiTables.Parse(rsdp, QemuLike()).Error.Kind);
    }

    [Fact]
    public void RsdpSignatureIsChecked()
    {
        byte[] rsdp = AcpiImage.RsdpV1(RsdtAt);
        rsdp[0] = (byte)'X';
        AcpiImage.FixChecksum(rsdp, 8, 20);
        Assert.Equal(AcpiErrorKind.BadRsdpSignature, AcpiTables.Parse(rsdp, QemuLike()).Error.Kind);
    }

    [Theory]
    [InlineData(MadtAt, "APIC")]
    [InlineData(FadtAt, "FACP")]
    [InlineData(RsdtAt, "RSDT")]
    [InlineData(DsdtAt, "DSDT")]
    [InlineData(HpetAt, "HPET")]
    public void TableWithABadChecksumIsRefusedAndNamed(uint address, string signature)
    {
        AcpiImage image = QemuLike();
        byte[] copy = new byte[64 * 1024];
        image.TryRead(address, copy.AsSpan(0, 36));
        int length = BitConverter.ToInt32(copy, 4);
        byte[] table = new byte[length];
        Assert.True(image.TryRead(address, table));
        table[length - 1] ^= 0x55;
        image.Place(address, table);
        AcpiError error = AcpiTables.Parse(AcpiImage.RsdpV1(RsdtAt), image).Error;
        Assert.Equal(AcpiErrorKind.BadChecksum, error.Kind);
        Assert.Equal(signature, error.Table);
        Assert.Equal(address, error.Address);
        Assert.Contains(signature, error.Describe());
    }

    [Fact]
    public void TableWithTheWrongSignatureIsRefused()
    {
        AcpiImage image = QemuLike();
        image.Place(RsdtAt, AcpiImage.Table("XXXX", new byte[8]));
        AcpiError error = AcpiTables.Parse(AcpiImage.RsdpV1(RsdtAt), image).Error;
        Assert.Equal(AcpiErrorKind.BadSignature, error.Kind);
        Assert.Equal("XXXX", error.Found);
    }

    [Theory]
    [InlineData(10u)]
    [InlineData(0xFFFF_FFFFu)]
    public void TableWithAnImpossibleLengthIsRefused(uint length)
    {
        AcpiImage image = QemuLike();
        byte[] madt = AcpiImage.Madt();
        BitConverter.GetBytes(length).CopyTo(madt, 4);
        image.Place(MadtAt, madt);
        Assert.Equal(AcpiErrorKind.BadLength, AcpiTables.Parse(AcpiImage.RsdpV1(RsdtAt), image).Error.Kind);
    }

    [Fact]
    public void TablePastReadableMemoryIsRefused()
    {
        AcpiImage image = QemuLike();
        byte[] madt = AcpiImage.Madt();
        BitConverter.GetBytes((uint)madt.Length + 100).CopyTo(madt, 4);
        image.Place(MadtAt, madt);
        Assert.Equal(AcpiErrorKind.Unreadable, AcpiTables.Parse(AcpiImage.RsdpV1(RsdtAt), image).Error.Kind);
    }

    [Fact]
    public void MadtEntryRunningPastTheTableIsRefused()
    {
        AcpiImage image = QemuLike();
        image.Place(MadtAt, AcpiImage.Madt(new byte[] { 1, 40, 0, 0 }));
        AcpiError error = AcpiTables.Parse(AcpiImage.RsdpV1(RsdtAt), image).Error;
        Assert.Equal(AcpiErrorKind.BadEntry, error.Kind);
        Assert.Equal("APIC", error.Table);
    }

    [Fact]
    public void MadtEntryShorterThanItsTypeIsRefused()
    {
        AcpiImage image = QemuLike();
        image.Place(MadtAt, AcpiImage.Madt(new byte[] { 2, 4, 0, 0 }));
        Assert.Equal(AcpiErrorKind.BadEntry, AcpiTables.Parse(AcpiImage.RsdpV1(RsdtAt), image).Error.Kind);
    }

    [Fact]
    public void MissingMadtIsAnError()
    {
        AcpiImage image = QemuLike();
        image.Place(RsdtAt, AcpiImage.Rsdt(FadtAt));
        AcpiError error = AcpiTables.Parse(AcpiImage.RsdpV1(RsdtAt), image).Error;
        Assert.Equal(AcpiErrorKind.MissingTable, error.Kind);
        Assert.Equal("APIC", error.Table);
    }

    [Fact]
    public void MadtLocalApicAddressOverrideWins()
    {
        AcpiImage image = QemuLike();
        byte[] entry = new byte[12];
        entry[0] = 5; entry[1] = 12;
        BitConverter.GetBytes(0x1_0000_0000UL).CopyTo(entry, 4);
        image.Place(MadtAt, AcpiImage.Madt(entry));
        Assert.Equal(0x1_0000_0000UL, AcpiTables.Parse(AcpiImage.RsdpV1(RsdtAt), image).Value.Madt.LocalApicAddress);
    }

    [Theory]
    [InlineData(new byte[] { 0x08, (byte)'_', (byte)'S', (byte)'5', (byte)'_', 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00 }, 0, 0)]
    [InlineData(new byte[] { 0x08, (byte)'_', (byte)'S', (byte)'5', (byte)'_', 0x12, 0x0A, 0x04, 0x0A, 0x07, 0x01, 0x00, 0x00 }, 7, 1)]
    [InlineData(new byte[] { 0x08, 0x5C, (byte)'_', (byte)'S', (byte)'5', (byte)'_', 0x12, 0x40, 0x0A, 0x04, 0x0B, 0x05, 0x00, 0x0C, 0x06, 0, 0, 0 }, 5, 6)]
    public void S5PackageFormsAreRead(byte[] aml, byte a, byte b)
    {
        Assert.True(SleepState.TryFindS5(AcpiImage.Dsdt(aml), out SleepState s));
        Assert.Equal(new SleepState(a, b), s);
    }

    [Theory]
    [InlineData(new byte[] { 0x01, (byte)'_', (byte)'S', (byte)'5', (byte)'_', 0x12, 0x06, 0x04, 0x00, 0x00 })]     // not a Name
    [InlineData(new byte[] { 0x08, (byte)'_', (byte)'S', (byte)'5', (byte)'_', 0x14, 0x06, 0x04, 0x00, 0x00 })]     // a method, not a package
    [InlineData(new byte[] { 0x08, (byte)'_', (byte)'S', (byte)'5', (byte)'_', 0x12, 0x06, 0x04, 0x0A })]           // truncated
    [InlineData(new byte[] { 0x08, (byte)'_', (byte)'S', (byte)'4', (byte)'_', 0x12, 0x06, 0x04, 0x00, 0x00 })]     // \_S4 only
    public void S5OfAnotherShapeIsNotFound(byte[] aml) =>
        Assert.False(SleepState.TryFindS5(AcpiImage.Dsdt(aml), out _));

    [Fact]
    public void RandomCorruptionNeverThrows()
    {
        var random = new Random(15);
        for (int round = 0; round < 2000; round++)
        {
            AcpiImage image = QemuLike();
            ulong at = new[] { (ulong)RsdtAt, MadtAt, FadtAt, DsdtAt, HpetAt }[random.Next(5)];
            byte[] table = new byte[4096];
            int length = 0;
            while (length < table.Length && image.TryRead(at, table.AsSpan(0, length + 1)))
                length++;
            Array.Resize(ref table, length);
            table[random.Next(length)] = (byte)random.Next(256);
            if (random.Next(2) == 0)
                AcpiImage.FixChecksum(table, 9, table.Length);   // get past the checksum to the parser proper
            image.Place(at, table);
            Result<AcpiTables, AcpiError> r = AcpiTables.Parse(AcpiImage.RsdpV1(RsdtAt), image);
            if (r.IsError)
                Assert.False(string.IsNullOrEmpty(r.Error.Describe()));
        }
    }

    /// <summary>The boot's "acpi:" line, as the string interpolation before LineBuilder wrote it.</summary>
    private static string InterpolatedDescription(AcpiTables t)
    {
        var names = new System.Text.StringBuilder();
        foreach (AcpiTableEntry e in t.Tables)
            names.Append(names.Length == 0 ? "" : " ").Append(e.Signature);
        return $"ACPI {(t.UsesXsdt ? "XSDT" : "RSDT")} (OEM {t.Rsdp.OemId.Trim()}): {names}; {t.Madt.LocalApics.Count} CPU(s), " +
               $"{t.Madt.IoApics.Count} I/O APIC(s), {t.Madt.Overrides.Count} ISA override(s); " +
               $"HPET {(t.Hpet is { } h ? $"at 0x{h.BaseAddress.Address:X}" : "absent")}; " +
               $"\\_S5 {(t.S5 is { } s ? $"SLP_TYP {s.TypeA}/{s.TypeB}" : "absent")}";
    }

    [Fact]
    public void DescribeIsTheLineTheBootAlwaysPrinted()
    {
        AcpiTables rsdt = AcpiTables.Parse(AcpiImage.RsdpV1(RsdtAt), QemuLike()).Value;
        Assert.Equal(InterpolatedDescription(rsdt), rsdt.Describe());
        Assert.StartsWith("ACPI RSDT (OEM ", rsdt.Describe());
        Assert.Contains("HPET at 0xFED00000; \\_S5 SLP_TYP 5/0", rsdt.Describe());

        AcpiImage noS5 = QemuLike(withHpet: false);
        noS5.Place(DsdtAt, AcpiImage.Dsdt([]));
        AcpiTables xsdt = AcpiTables.Parse(AcpiImage.RsdpV2(RsdtAt, XsdtAt), noS5).Value;
        Assert.Equal(InterpolatedDescription(xsdt), xsdt.Describe());
        Assert.EndsWith("HPET absent; \\_S5 absent", xsdt.Describe());
    }
}
