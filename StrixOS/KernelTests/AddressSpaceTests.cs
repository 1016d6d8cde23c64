using StrixOS.Boot.Stage;
using StrixOS.Cpu;
using StrixOS.Memory;
using StrixOS.Memory.Heap;
using StrixOS.Plugs;
using StrixOS.Testing;

namespace StrixOS.KernelTests;

/// <summary>Address spaces on the real CPU: CR3 switches, isolation, no frame leaked (issue 6).</summary>
public static unsafe class AddressSpaceTests
{
    private const ulong UserAddress = 0x0000_0040_0000_0000;
    /// <summary>A kernel-half address in PML4 slot 401, which nothing else maps (PagingTests use slot 400).</summary>
    private const ulong LateKernelAddress = 0xFFFF_C880_0000_0000;

    public static void Register(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("AddressSpaces");
        suite.Add(nameof(TwoSpacesMapOneUserAddressToDifferentFrames), &TwoSpacesMapOneUserAddressToDifferentFrames);
        suite.Add(nameof(TenThousandCreateAndDisposeLeakNoFrame), &TenThousandCreateAndDisposeLeakNoFrame);
        suite.Add(nameof(AKernelMappingInANewSlotIsSeenInsideASpaceCreatedBefore), &AKernelMappingInANewSlotIsSeenInsideASpaceCreatedBefore);
        suite.Add(nameof(AMillionSmallHeapBlocksStayWithinABound), &AMillionSmallHeapBlocksStayWithinABound);
    }

    private static void TwoSpacesMapOneUserAddressToDifferentFrames(TestContext t)
    {
        Kernel kernel = KernelTestSuites.Kernel;
        KernelTestSuites.MakeHeapRoom();
        ulong before = kernel.Frames.FreeFrames;
        AddressSpace a = kernel.AddressSpaces.Create().Value;
        AddressSpace b = kernel.AddressSpaces.Create().Value;
        Page page = Page.TryFromStartAddress(VirtAddr.NewTruncate(UserAddress)).Value;
        PageTableFlags flags = PageTableFlags.Writable | PageTableFlags.NoExecute;
        PhysFrame frameA = a.Map(page, flags).Value, frameB = b.Map(page, flags).Value;
        t.NotEqual(frameA.StartAddress.Value, frameB.StartAddress.Value);
        *(ulong*)(BootLayout.PhysicalMemoryOffset + frameA.StartAddress.Value) = 0xAAAA;
        *(ulong*)(BootLayout.PhysicalMemoryOffset + frameB.StartAddress.Value) = 0xBBBB;

        t.True(a.Activate().IsOk, "activating A failed");
        t.Equal(0xAAAAul, ReadUser(UserAddress));
        t.True(b.Activate().IsOk, "activating B failed");
        t.Equal(0xBBBBul, ReadUser(UserAddress));
        // Kernel code and data stay reachable from inside either address space.
        t.Equal(0x4B45524E454Cul, KernelWord());
        kernel.AddressSpaces.ActivateKernel();
        t.True(kernel.PageTable.Translate(VirtAddr.NewTruncate(UserAddress)).IsError, "the user page leaked into the kernel's tables");

        t.True(a.Dispose().IsOk, "disposing A failed");
        t.True(b.Dispose().IsOk, "disposing B failed");
        t.Equal(before, kernel.Frames.FreeFrames);
        t.Equal((int)AddressSpaceError.Disposed, (int)a.Map(page, flags).Error);
    }

    private static void TenThousandCreateAndDisposeLeakNoFrame(TestContext t)
    {
        Kernel kernel = KernelTestSuites.Kernel;
        // Each Create leaves a small managed object behind (garbage until the next collection): give both
        // heaps room first (the object heap's page tables then exist), and count the frames the heaps'
        // backing maps for that garbage apart, so the check sees only page tables and mapped frames.
        KernelTestSuites.MakeHeapRoom(4UL << 20);
        KernelTestSuites.MakeObjectHeapRoom(4UL << 20);
        var backing = (PageTableHeapBacking)kernel.Heap.Backing;
        ulong before = kernel.Frames.FreeFrames, mapped = kernel.Heap.BytesMapped, heapFrames = backing.FramesMapped;
        Page page = Page.TryFromStartAddress(VirtAddr.NewTruncate(UserAddress)).Value;
        for (int i = 0; i < 10_000; i++)
        {
            Result<AddressSpace, AddressSpaceError> space = kernel.AddressSpaces.Create();
            if (!t.True(space.IsOk, "Create failed"))
                return;
            if (space.Value.Map(page, PageTableFlags.Writable | PageTableFlags.NoExecute).IsError || space.Value.Dispose().IsError)
            {
                t.Fail($"map or dispose failed in round {i}");
                return;
            }
        }
        t.Equal(mapped, kernel.Heap.BytesMapped);
        t.Equal(before, kernel.Frames.FreeFrames + (backing.FramesMapped - heapFrames));
        t.Equal(0, kernel.AddressSpaces.LiveCount);
    }

    /// <summary>Issue 17.4: kernel-half level-3 tables are made on demand, and the manager copies a new level-4
    /// entry into live address spaces. Here the MMU itself reads a kernel page through a space made before
    /// the kernel first used that PML4 slot.</summary>
    private static void AKernelMappingInANewSlotIsSeenInsideASpaceCreatedBefore(TestContext t)
    {
        Kernel kernel = KernelTestSuites.Kernel;
        KernelTestSuites.MakeHeapRoom();
        PageTableIndex slot = VirtAddr.NewTruncate(LateKernelAddress).P4Index;
        if (!t.True(kernel.PageTable.Level4Table[slot].IsUnused, "PML4 slot 401 is already in use"))
            return;
        AddressSpace space = kernel.AddressSpaces.Create().Value;
        PhysFrame frame = kernel.Frames.AllocateFrame().Value;
        *(ulong*)(BootLayout.PhysicalMemoryOffset + frame.StartAddress.Value) = 0x5EE5_0401;
        Page page = Page.TryFromStartAddress(VirtAddr.NewTruncate(LateKernelAddress)).Value;
        ulong flags = InterruptFlag.SaveAndDisable(); // kernel mappings are made with interrupts off
        Result<Page, MapError> mapped = kernel.PageTable.MapTo(page, frame, PageTableFlags.Present | PageTableFlags.NoExecute, kernel.Frames);
        InterruptFlag.Restore(flags);
        if (t.True(mapped.IsOk, "MapTo in slot 401 failed"))
        {
            t.True(space.Activate().IsOk, "activating the space failed");
            ulong seen = System.Threading.Volatile.Read(ref *(ulong*)LateKernelAddress);
            kernel.AddressSpaces.ActivateKernel();
            t.Equal(0x5EE5_0401ul, seen);
            t.True(kernel.PageTable.Unmap(page).IsOk, "unmapping the kernel page failed");
            kernel.AddressSpaces.KernelMappingsChanged();
        }
        t.True(space.Dispose().IsOk, "disposing the space failed");
        kernel.Frames.DeallocateFrame(frame);
        // The slot's level-3 table stays for good: the next space copies the entry that points at it.
        t.True(kernel.PageTable.Level4Table[slot].IsPresent, "the kernel-half level-4 entry went away");
    }

    private static void AMillionSmallHeapBlocksStayWithinABound(TestContext t)
    {
        HeapAllocator heap = KernelTestSuites.Kernel.Heap;
        ulong mappedBefore = heap.BytesMapped, inUseBefore = heap.BytesInUse;
        ulong* live = stackalloc ulong[256];
        for (int i = 0; i < 256; i++)
            live[i] = 0;
        for (int i = 0; i < 1_000_000; i++)
        {
            int slot = (int)((uint)(i * 2654435761u) >> 24);
            if (live[slot] != 0 && heap.Free(live[slot]).IsError)
            {
                t.Fail($"free failed at round {i}");
                return;
            }
            Result<ulong, HeapError> block = heap.Allocate((ulong)(16 + (i % 7) * 8));
            if (block.IsError)
            {
                t.Fail($"allocation failed at round {i}");
                return;
            }
            live[slot] = block.Value;
        }
        for (int i = 0; i < 256; i++)
            if (live[i] != 0 && heap.Free(live[i]).IsError)
                t.Fail("freeing a live block was refused"); // a literal: this test counts the heap's bytes
        t.Equal(inUseBefore, heap.BytesInUse);
        t.True(heap.BytesMapped - mappedBefore <= 1UL << 20, $"the heap grew by {heap.BytesMapped - mappedBefore} bytes for 256 live blocks");
    }

    private static ulong s_kernelWord = 0x4B45524E454C;

    private static ulong KernelWord() => s_kernelWord;

    /// <summary>A read of a user page; with SMAP on, the kernel must say so first (stac/clac).</summary>
    private static ulong ReadUser(ulong address)
    {
        if (Protection.SmapEnabled)
            X64.AllowUserAccess();
        ulong value = System.Threading.Volatile.Read(ref *(ulong*)address);
        if (Protection.SmapEnabled)
            X64.ForbidUserAccess();
        return value;
    }
}
