using System;

namespace StrixOS.Acpi;

/// <summary>
/// Where ACPI tables are read from: the kernel reads physical memory through the offset map, host tests
/// from byte arrays placed at made-up addresses. A read outside what the reader can reach fails.
/// </summary>
public interface IPhysicalMemoryReader
{
    bool TryRead(ulong physicalAddress, Span<byte> destination);
}
