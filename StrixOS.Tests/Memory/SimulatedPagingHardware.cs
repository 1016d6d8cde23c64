using System.Collections.Generic;
using StrixOS.Memory;

namespace StrixOS.Tests.Memory;

/// <summary>CR3 and the TLB for host tests: holds a CR3 value and records every flush.</summary>
public sealed class SimulatedPagingHardware : IPagingHardware
{
    public SimulatedPagingHardware(ulong cr3 = 0) => Cr3 = cr3;

    public ulong Cr3 { get; set; }

    /// <summary>Virtual addresses passed to invlpg, in order.</summary>
    public List<ulong> FlushedPages { get; } = new();

    public int FullFlushes { get; private set; }
    public int Cr3Writes { get; private set; }

    public ulong ReadCr3() => Cr3;

    public void WriteCr3(ulong value)
    {
        Cr3 = value;
        Cr3Writes++;
    }

    public void FlushPage(ulong virtualAddress) => FlushedPages.Add(virtualAddress);

    public void FlushAll() => FullFlushes++;

    public void ForgetFlushes()
    {
        FlushedPages.Clear();
        FullFlushes = 0;
    }
}
