using StrixOS.Memory;

namespace StrixOS.Plugs;

/// <summary>The real CPU behind the memory manager's <see cref="IPagingHardware"/>: CR3 and invlpg.</summary>
public sealed class HardwarePaging : IPagingHardware
{
    public static readonly HardwarePaging Instance = new();

    private HardwarePaging() { }

    public ulong ReadCr3() => X64.ReadCr3();
    public void WriteCr3(ulong value) => X64.WriteCr3(value);
    public void FlushPage(ulong virtualAddress) => X64.Invlpg(virtualAddress);
    public void FlushAll() => X64.WriteCr3(X64.ReadCr3());
}
