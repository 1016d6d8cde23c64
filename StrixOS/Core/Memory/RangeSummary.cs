namespace StrixOS.Memory;

/// <summary>What <see cref="OffsetPageTable.MapRange"/> or <see cref="OffsetPageTable.UnmapRange"/> did.</summary>
public readonly struct RangeSummary
{
    public RangeSummary(ulong pages4KiB, ulong pages2MiB, ulong pages1GiB, ulong tablesCreated)
    {
        Pages4KiB = pages4KiB;
        Pages2MiB = pages2MiB;
        Pages1GiB = pages1GiB;
        TablesCreated = tablesCreated;
    }

    public ulong Pages4KiB { get; }
    public ulong Pages2MiB { get; }
    public ulong Pages1GiB { get; }
    /// <summary>Page tables taken from the frame allocator (always 0 for an unmap).</summary>
    public ulong TablesCreated { get; }

    public ulong Bytes => Pages4KiB * PageSizeExtensions.Bytes4KiB + Pages2MiB * PageSizeExtensions.Bytes2MiB
        + Pages1GiB * PageSizeExtensions.Bytes1GiB;

    public override string ToString()
        => $"{Pages4KiB} x 4KiB, {Pages2MiB} x 2MiB, {Pages1GiB} x 1GiB, {TablesCreated} new tables";
}
