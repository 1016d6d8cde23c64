using StrixOS.Boot.Stage;

namespace StrixOS.Cpu;

/// <summary>
/// One I/O APIC: routes its global system interrupts (GSIs from <see cref="GsiBase"/>) to vectors on a
/// local APIC. Every entry starts masked; <see cref="Route"/> programs one.
/// </summary>
public sealed unsafe class IoApic
{
    private const uint VersionRegister = 0x01;
    private const uint RedirectionBase = 0x10;
    private const uint Masked = 1u << 16;
    private const uint ActiveLow = 1u << 13;
    private const uint LevelTriggered = 1u << 15;

    private readonly byte* _registers;

    public IoApic(ulong physicalAddress, uint gsiBase)
    {
        _registers = (byte*)(BootLayout.PhysicalMemoryOffset + physicalAddress);
        GsiBase = gsiBase;
        Inputs = (int)((Read(VersionRegister) >> 16) & 0xFF) + 1;
        for (int i = 0; i < Inputs; i++)
            Write(RedirectionBase + 2 * (uint)i, Masked);
    }

    public uint GsiBase { get; }
    public int Inputs { get; }

    public bool Serves(uint gsi) => gsi >= GsiBase && gsi < GsiBase + (uint)Inputs;

    /// <summary>Fixed delivery, physical destination <paramref name="apicId"/>; left masked until <see cref="SetMasked"/>.</summary>
    public void Route(uint gsi, byte vector, byte apicId, bool activeLow, bool level)
    {
        uint index = RedirectionBase + 2 * (gsi - GsiBase);
        Write(index + 1, (uint)apicId << 24);
        Write(index, vector | Masked | (activeLow ? ActiveLow : 0) | (level ? LevelTriggered : 0));
    }

    public void SetMasked(uint gsi, bool masked)
    {
        uint index = RedirectionBase + 2 * (gsi - GsiBase);
        uint low = Read(index);
        Write(index, masked ? low | Masked : low & ~Masked);
    }

    private uint Read(uint register)
    {
        Mmio.Write32(_registers, register);
        return Mmio.Read32(_registers + 0x10);
    }

    private void Write(uint register, uint value)
    {
        Mmio.Write32(_registers, register);
        Mmio.Write32(_registers + 0x10, value);
    }
}
