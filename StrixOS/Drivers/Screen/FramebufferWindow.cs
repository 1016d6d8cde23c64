using StrixOS.Cpu;
using StrixOS.Memory;

namespace StrixOS.Drivers.Screen;

/// <summary>
/// The framebuffer's own mapping: its pages only, at <see cref="Start"/> (P4 slot 289, next to the kernel
/// heap), writable, NX and write-combining where the CPU has a PAT. The boot screen draws through the offset
/// map until the memory manager is up; from then on the screen uses this window only.
/// </summary>
public static class FramebufferWindow
{
    public const ulong Start = 0xFFFF_9080_0000_0000;

    public static PageTableFlags Flags { get; private set; }

    /// <summary>Maps <paramref name="screen"/>'s pixels and switches it over; the error when the mapping failed
    /// (the screen then keeps drawing through the offset map).</summary>
    public static Result<ulong, MapError> Map(FramebufferScreen screen, OffsetPageTable pageTable, IFrameAllocator frames)
    {
        ulong first = screen.PhysicalAddress & ~0xFFFUL;
        ulong length = (screen.PhysicalAddress + screen.ByteLength - first + 0xFFF) & ~0xFFFUL;
        PageTableFlags flags = PageTableFlags.Present | PageTableFlags.Writable | PageTableFlags.NoExecute | PageTableFlags.Global;
        if (PageAttributeTable.EnableWriteCombining())
            flags |= PageAttributeTable.WriteCombiningFlags;
        Result<RangeSummary, MapError> mapped = pageTable.MapRange(VirtAddr.NewTruncate(Start), PhysAddr.NewTruncate(first),
            length, flags, frames, allowHugePages: false);
        if (mapped.IsError)
            return mapped.Error;
        Flags = flags;
        ulong pixels = Start + (screen.PhysicalAddress - first);
        screen.UseMapping(pixels);
        return pixels;
    }
}
