using System;
using StrixOS.Memory;

namespace StrixOS.Boot;

/// <summary>
/// What <see cref="Multiboot2.Parse"/> read from the information structure, copied out of it: nothing here
/// refers to the structure's memory. The memory map is the firmware's, not yet normalised.
/// </summary>
public sealed class Multiboot2Info
{
    private MemoryRegion[] _firmwareMemoryMap = Array.Empty<MemoryRegion>();
    private BootModule[] _modules = Array.Empty<BootModule>();
    private byte[] _rsdp = Array.Empty<byte>();

    internal Multiboot2Info()
    {
    }

    public uint TotalSize { get; internal set; }

    /// <summary>The header's reserved field (the specification says to ignore it).</summary>
    public uint Reserved { get; internal set; }

    public string CommandLine { get; internal set; } = "";

    public string BootLoaderName { get; internal set; } = "";

    public ReadOnlySpan<BootModule> Modules => _modules;

    public BasicMemoryInfo? BasicMemoryInfo { get; internal set; }

    public MemoryMapSource MemoryMapSource { get; internal set; }

    /// <summary>The chosen memory map as the firmware gave it, mapped to region types (unsorted, unaligned).</summary>
    public ReadOnlySpan<MemoryRegion> FirmwareMemoryMap => _firmwareMemoryMap;

    /// <summary>Tag 18 was present: GRUB left EFI boot services running.</summary>
    public bool EfiBootServicesActive { get; internal set; }

    public bool HasRsdp => _rsdp.Length != 0;

    /// <summary>Byte offset of the RSDP copy inside the information structure (0 if none).</summary>
    public uint RsdpOffset { get; internal set; }

    /// <summary>The RSDP's Revision byte: 0 for ACPI 1.0, 2 or more for ACPI 2.0+.</summary>
    public byte RsdpRevision { get; internal set; }

    /// <summary>A copy of the RSDP bytes (20 for ACPI 1.0, its Length field for ACPI 2.0+).</summary>
    public ReadOnlySpan<byte> Rsdp => _rsdp;

    internal void SetFirmwareMemoryMap(MemoryRegion[] regions) => _firmwareMemoryMap = regions;

    internal void SetModules(BootModule[] modules) => _modules = modules;

    internal void SetRsdp(byte[] rsdp) => _rsdp = rsdp;
}
