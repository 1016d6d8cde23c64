using System;
using CsCheck;
using StrixOS.Boot;
using StrixOS.Memory;
using Xunit;

namespace StrixOS.Tests.Boot;

/// <summary>
/// Corrupted and truncated structures: the parser must answer with a value (never throw) and whatever map it
/// accepts must still honour the safety contract against the firmware map it read.
/// </summary>
public class BootInfoFuzzTests
{
    private static readonly MemoryRegion[] KernelRanges = { new(0x100000, 0x180000, MemoryRegionType.Kernel) };

    private static byte[] ValidStructure() => new Multiboot2Builder()
        .CommandLine("strix test")
        .BootLoaderName("GRUB")
        .Module(0x200000, 0x201000, "m")
        .MemoryMap(
            new MmapEntry(0, 0x9fc00, Multiboot2Builder.MmapAvailable),
            new MmapEntry(0x9fc00, 0x400, Multiboot2Builder.MmapReserved),
            new MmapEntry(0x100000, 0x7ee0000, Multiboot2Builder.MmapAvailable))
        .RsdpV1(0x1000)
        .EfiMemoryMap(
            new EfiDescriptor((uint)EfiMemoryType.ConventionalMemory, 0x100000, 0x100),
            new EfiDescriptor((uint)EfiMemoryType.AcpiMemoryNvs, 0x200000, 0x10))
        .End()
        .Build();

    [Fact]
    public void CorruptedStructuresGiveAnErrorOrASafeMap()
    {
        byte[] original = ValidStructure();
        var mutation = Gen.Select(Gen.Int[0, original.Length - 1], Gen.Byte, Gen.Int[0, 3]).Array[1, 8];
        Gen.Select(mutation, Gen.Int[0, original.Length])
            .Sample((changes, keep) =>
            {
                byte[] bytes = (byte[])original.Clone();
                foreach ((int index, byte value, int kind) in changes)
                {
                    // Small values land on sizes and counts more often than random bytes would.
                    bytes[index] = kind switch { 0 => value, 1 => (byte)(value & 0x1F), 2 => 0, _ => 0xFF };
                }
                byte[] input = bytes.AsSpan(0, keep).ToArray();

                Result<BootInfo, BootInfoError> created = BootInfo.Create(input, 0x10000, KernelRanges, 0);
                bool ok = created.IsOk;
                BootInfoError error = ok ? default : created.Error;
                Assert.Equal(ok, error.IsNone);
                Assert.False(string.IsNullOrEmpty(error.Describe()));
                if (!ok)
                    return;
                BootInfo info = created.Value;
                Assert.NotNull(info);
                MemoryMapOracle.AssertWellFormed(info.MemoryMap);
                var reserved = new MemoryRegion[KernelRanges.Length + info.Modules.Length + 1];
                KernelRanges.CopyTo(reserved, 0);
                for (int i = 0; i < info.Modules.Length; i++)
                    reserved[KernelRanges.Length + i] = new MemoryRegion(info.Modules[i].Start, info.Modules[i].End, MemoryRegionType.Module);
                reserved[^1] = new MemoryRegion(0x10000, 0x10000 + info.InformationSize, MemoryRegionType.BootInformation);
                foreach (MemoryRegion region in info.MemoryMap.Regions)
                {
                    if (region.Type != MemoryRegionType.Usable)
                        continue;
                    Assert.True(MemoryMapOracle.IsFree(region.Start, info.FirmwareMemoryMap, reserved), $"0x{region.Start:x} not free");
                    Assert.True(MemoryMapOracle.IsFree(region.End - 0x1000, info.FirmwareMemoryMap, reserved), $"0x{region.End - 0x1000:x} not free");
                }
            }, iter: 5000, threads: 1);
    }

    [Fact]
    public void EveryPrefixOfAValidStructureIsHandled()
    {
        byte[] original = ValidStructure();
        for (int length = 0; length <= original.Length; length++)
        {
            byte[] prefix = original.AsSpan(0, length).ToArray();
            Result<Multiboot2Info, BootInfoError> parsed = Multiboot2.Parse(prefix);
            Assert.Equal(length == original.Length, parsed.IsOk);
            Assert.True(parsed.IsOk || !parsed.Error.IsNone);

            // The same prefix, claiming it is the whole structure.
            if (length >= 8)
            {
                BitConverter.TryWriteBytes(prefix.AsSpan(0, 4), (uint)length);
                _ = Multiboot2.Parse(prefix);
            }
        }
    }
}
