namespace StrixOS.Memory.Heap;

/// <summary>
/// Where the heap's memory comes from: the kernel maps fresh frames into the heap's virtual range
/// (<see cref="PageTableHeapBacking"/>); host tests hand out pieces of a native buffer.
/// </summary>
public interface IHeapBacking
{
    /// <summary>
    /// Makes [<paramref name="virtualStart"/>, + <paramref name="bytes"/>) readable and writable memory. Both
    /// are multiples of 4 KiB, the range lies in the heap's range and was never grown before. Contents may be
    /// anything. All or nothing: false (out of memory) leaves nothing mapped.
    /// <para>Called from inside an allocation: it must not allocate from the heap itself (no <c>new</c>).</para>
    /// </summary>
    bool Grow(ulong virtualStart, ulong bytes);

    /// <summary>
    /// Makes every page of [<paramref name="virtualStart"/>, + <paramref name="bytes"/>) (grown before) that
    /// <see cref="Decommit"/> took away usable again; pages still mapped keep their contents. False when memory
    /// ran out (pages committed before the failure may stay committed); must not allocate from the heap.
    /// </summary>
    bool Commit(ulong virtualStart, ulong bytes);

    /// <summary>
    /// Gives the memory behind the pages of [<paramref name="virtualStart"/>, + <paramref name="bytes"/>) back
    /// (the kernel: frames to the frame allocator); the heap touches them again only after <see cref="Commit"/>.
    /// Pages already decommitted are skipped. Returns the pages given back.
    /// </summary>
    ulong Decommit(ulong virtualStart, ulong bytes);
}
