namespace StrixOS.Memory;

/// <summary>
/// Process-context identifiers 1..4095 (0 is the kernel's): each live address space with one keeps its TLB
/// entries across CR3 switches. A stack of free ids: O(1) take and return. A returned id is handed out again
/// as is; the new owner's first activation flushes it (see <see cref="AddressSpace.Activate"/>).
/// </summary>
internal sealed class PcidPool
{
    public const ushort Untagged = 0;
    public const ushort Highest = 4095;

    private readonly ushort[] _free = new ushort[Highest];
    private int _count;

    public PcidPool()
    {
        // Lowest ids on top, so the first address spaces get 1, 2, 3...
        for (int i = 0; i < Highest; i++)
            _free[i] = (ushort)(Highest - i);
        _count = Highest;
    }

    public int Available => _count;

    /// <summary>A free id, or <see cref="Untagged"/> when all 4095 are taken (that space then flushes on every switch).</summary>
    public ushort Take() => _count == 0 ? Untagged : _free[--_count];

    public void Return(ushort pcid)
    {
        if (pcid != Untagged && _count < Highest)
            _free[_count++] = pcid;
    }
}
