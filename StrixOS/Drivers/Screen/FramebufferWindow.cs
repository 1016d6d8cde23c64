using StrixOS.Boot.Stage;
using StrixOS.Cpu;
using StrixOS.Memory;
using StrixOS.Plugs;

namespace StrixOS.Drivers.Screen;

/// <summary>
/// The framebuffer's own mapping: its pages only, at <see cref="Start"/> (P4 slot 289, next to the kernel
/// heap), writable, NX and write-combining where the CPU has a PAT. The boot screen draws through the offset
/// map until the memory manager is up; from then on the screen uses this window only. The offset map's pages of
/// the framebuffer take the same memory type (<see cref="PhysicalWindow"/>: its large pages split at the
/// framebuffer's ends), so no physical page is mapped write-back and write-combining at once.
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
        Result<RangeSummary, MapError> mapped = PhysicalWindow.Map(pageTable, VirtAddr.NewTruncate(BootLayout.PhysicalMemoryOffset),
            VirtAddr.NewTruncate(Start), PhysAddr.NewTruncate(first), length, flags, frames);
        // Lines the offset map cached write-back must not be written back over write-combined pixels later.
        if ((flags & PhysicalWindow.CacheBits) != 0)
            X64.WriteBackAndInvalidateCaches();
        if (mapped.IsError)
            return mapped.Error;
        Flags = flags;
        ulong pixels = Start + (screen.PhysicalAddress - first);
        screen.UseMapping(pixels);
        return pixels;
    }
}
