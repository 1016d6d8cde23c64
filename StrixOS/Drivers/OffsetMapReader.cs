using System;
using StrixOS.Acpi;
using StrixOS.Boot.Stage;

namespace StrixOS.Drivers;

/// <summary>Reads physical memory through the boot stage's offset map; refuses anything the map does not cover.</summary>
public sealed unsafe class OffsetMapReader : IPhysicalMemoryReader
{
    public bool TryRead(ulong physicalAddress, Span<byte> destination)
    {
        ulong limit = BootLayout.Current->OffsetMapBytes;
        if (physicalAddress >= limit || (ulong)destination.Length > limit - physicalAddress)
            return false;
        new ReadOnlySpan<byte>((byte*)(BootLayout.PhysicalMemoryOffset + physicalAddress), destination.Length).CopyTo(destination);
        return true;
    }
}
