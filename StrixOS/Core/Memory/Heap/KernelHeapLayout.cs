namespace StrixOS.Memory.Heap;

/// <summary>
/// Where the kernel heaps live: P4 slot 288 of the kernel half, between the offset map (slot 256, up to
/// 16 TiB of physical memory before it would reach here) and the kernel image (slot 511). Its level-3 table
/// is one of those <see cref="AddressSpaceManager.Init"/> pre-creates, so heap pages are seen by every address space.
/// The first 64 GiB hold the kernel heap (raw blocks: malloc, runtime tables); the next 64 GiB the
/// garbage-collected object heap, which holds nothing but managed objects, so a sweep can walk it.
/// </summary>
public static class KernelHeapLayout
{
    public const ulong Start = 0xFFFF_9000_0000_0000;
    /// <summary>64 GiB of virtual space; only what is used gets frames.</summary>
    public const ulong DefaultMaxBytes = 64UL << 30;
    public const ulong ObjectHeapStart = Start + DefaultMaxBytes;
    public const ulong ObjectHeapMaxBytes = 64UL << 30;
}
