namespace StrixOS.Memory;

/// <summary>
/// StrixOS's virtual address layout (docs/memory.md):
/// <code>
/// 0xFFFF_FFFF_FFFF_FFFF +---------------------------+
///                       | kernel image (-2 GiB)     |
/// 0xFFFF_FFFF_8000_0000 +---------------------------+ KernelImageBase
///                       | (free kernel space)       |
///                       | all physical memory       |
/// 0xFFFF_8000_0000_0000 +---------------------------+ PhysicalMemoryOffset (PHYS_MEM_OFFSET)
///                       | non-canonical hole        |
/// 0x0000_8000_0000_0000 +---------------------------+
///                       | user address spaces       |
/// 0x0000_0000_0000_0000 +---------------------------+
/// </code>
/// The boot stage's identity map of low memory is dropped once C# runs.
/// </summary>
public static class AddressSpaceLayout
{
    public const ulong UserSpaceStart = 0;
    /// <summary>Last byte of the lower half.</summary>
    public const ulong UserSpaceLast = VirtAddr.LowerHalfEnd - 1;
    /// <summary>PHYS_MEM_OFFSET: physical address p is mapped at PhysicalMemoryOffset + p.</summary>
    public const ulong PhysicalMemoryOffset = VirtAddr.UpperHalfStart;
    /// <summary>Where the kernel image is linked (the top 2 GiB, for the kernel code model).</summary>
    public const ulong KernelImageBase = 0xFFFF_FFFF_8000_0000;
}
