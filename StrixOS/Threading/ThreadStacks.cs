using StrixOS.Memory;
using StrixOS.Memory.Heap;
using StrixOS.Memory.PhysicalMemory;

namespace StrixOS.Threading;

/// <summary>
/// Kernel-thread stacks: P4 slot 290 (0xFFFF_9100_0000_0000) is cut into 16 MiB slots; a stack takes one
/// slot, its pages mapped RW+NX at the top of the slot and the page below them left unmapped as the guard,
/// so an overflow faults instead of running into the next stack. A freed slot's frames go back to the
/// frame allocator and the slot is reused.
/// </summary>
internal static unsafe class ThreadStacks
{
    public const ulong RegionStart = 0xFFFF_9100_0000_0000;
    public const ulong SlotBytes = 16UL << 20;
    public const ulong MaxStackBytes = SlotBytes - 4096;
    public const ulong DefaultStackBytes = 512UL << 10;
    public const ulong MinStackBytes = 16UL << 10;
    private const int MaxSlots = 32768;   // 512 GiB / 16 MiB

    private static PageTableHeapBacking? s_backing;
    private static uint* s_freeSlots;
    private static int s_freeCount;
    private static int s_nextSlot;

    public static bool IsReady => s_backing != null;

    /// <summary>Frames mapped for stacks right now, in 4 KiB pages.</summary>
    public static ulong PagesMapped => s_backing?.FramesMapped ?? 0;

    public static void Start(OffsetPageTable table, BuddyFrameAllocator frames)
    {
        s_backing = new PageTableHeapBacking(table, frames);
        s_freeSlots = (uint*)Runtime.KernelHeap.Allocate(MaxSlots * sizeof(uint));
    }

    /// <summary>The stack size a request gets: 0 is the default, anything else page-rounded within [16 KiB, 16 MiB - 4 KiB].</summary>
    public static ulong SizeFor(ulong requested)
    {
        if (requested == 0)
            return DefaultStackBytes;
        ulong size = (requested + 4095) & ~4095UL;
        return size < MinStackBytes ? MinStackBytes : size > MaxStackBytes ? MaxStackBytes : size;
    }

    /// <summary>Maps a stack of <paramref name="bytes"/> (page-rounded); false when slots or frames run out. Interrupts off.</summary>
    public static bool TryAllocate(ulong bytes, out ulong slot, out ulong bottom, out ulong top)
    {
        slot = bottom = top = 0;
        if (s_backing == null)
            return false;
        uint index;
        if (s_freeCount > 0)
            index = s_freeSlots[--s_freeCount];
        else if (s_nextSlot < MaxSlots)
            index = (uint)s_nextSlot++;
        else
            return false;
        ulong slotStart = RegionStart + index * SlotBytes;
        top = slotStart + SlotBytes;
        bottom = top - bytes;
        if (!s_backing.Commit(bottom, bytes))
        {
            _ = s_backing.Decommit(bottom, bytes);
            s_freeSlots[s_freeCount++] = index;
            return false;
        }
        slot = index;
        return true;
    }

    /// <summary>Unmaps a stack and returns its frames. Never the running stack. Interrupts off.</summary>
    public static void Free(ulong slot, ulong bottom, ulong top)
    {
        _ = s_backing!.Decommit(bottom, top - bottom);
        s_freeSlots[s_freeCount++] = (uint)slot;
    }

    /// <summary>Is <paramref name="address"/> the guard page of a thread stack (for the fault report)?</summary>
    public static bool IsInRegion(ulong address) => address >= RegionStart && address < RegionStart + MaxSlots * SlotBytes;
}
