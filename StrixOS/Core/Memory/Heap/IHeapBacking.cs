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
}
