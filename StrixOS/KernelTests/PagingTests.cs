using StrixOS.Boot.Stage;
using StrixOS.Memory;
using StrixOS.Testing;

namespace StrixOS.KernelTests;

/// <summary>The memory manager on the live page tables of this boot (issue 3's in-kernel tests).</summary>
public static unsafe partial class PagingTests
{
    /// <summary>An unused kernel-half address for mapping tests (PML4 slot 400, nothing else lives there).</summary>
    private const ulong ScratchAddress = 0xFFFF_C800_0000_0000;

    private static ulong s_data = 0x5157_4158; // lives in .data

    private static bool TranslateOk(TestContext t, ulong address, out Translation translation)
    {
        Result<Translation, TranslateError> result = KernelTestSuites.Kernel.PageTable.Translate(VirtAddr.NewTruncate(address));
        translation = result.IsOk ? result.Value : default;
        return t.True(result.IsOk, $"0x{address:x16} is not mapped");
    }

    [KernelTest]
    private static void KernelCodeIsReadOnlyExecutable(TestContext t)
    {
        ulong code = (ulong)(delegate*<TestContext, void>)&KernelCodeIsReadOnlyExecutable;
        if (!TranslateOk(t, code, out Translation tr))
            return;
        t.Equal(code - BootLayout.KernelVirtualBase, tr.Address.Value);
        t.Equal((int)PageSize.Size4KiB, (int)tr.Frame.Size);
        t.True((tr.Flags & PageTableFlags.Writable) == 0, "kernel text is writable");
        t.True((tr.Flags & PageTableFlags.NoExecute) == 0, "kernel text is not executable");
    }

    [KernelTest]
    private static void KernelDataIsWritableNoExecute(TestContext t)
    {
        fixed (ulong* data = &s_data)
        {
            if (!TranslateOk(t, (ulong)data, out Translation tr))
                return;
            t.Equal((ulong)data - BootLayout.KernelVirtualBase, tr.Address.Value);
            t.True((tr.Flags & PageTableFlags.Writable) != 0, "kernel data is read-only");
            t.True((tr.Flags & PageTableFlags.NoExecute) != 0, "kernel data is executable");
            // Through the offset map the same physical word reads the same.
            t.Equal(*data, *(ulong*)(BootLayout.PhysicalMemoryOffset + tr.Address.Value));
        }
    }

    [KernelTest]
    private static void KernelRodataIsReadOnlyNoExecute(TestContext t)
    {
        ulong rodata = BootLayout.Current->RodataStart;
        if (!TranslateOk(t, rodata, out Translation tr))
            return;
        t.True((tr.Flags & PageTableFlags.Writable) == 0, "rodata is writable");
        t.True((tr.Flags & PageTableFlags.NoExecute) != 0, "rodata is executable");
    }

    [KernelTest]
    private static void StackAndHeapAreWritableNoExecute(TestContext t)
    {
        ulong local = 0x1234;
        if (TranslateOk(t, (ulong)&local, out Translation stack))
        {
            t.True((stack.Flags & (PageTableFlags.Writable | PageTableFlags.NoExecute)) == (PageTableFlags.Writable | PageTableFlags.NoExecute), "stack is not RW+NX");
            t.Equal(local, *(ulong*)(BootLayout.PhysicalMemoryOffset + stack.Address.Value));
        }
        byte* heap = Runtime.KernelHeap.Allocate(64);
        if (TranslateOk(t, (ulong)heap, out Translation heapPage))
            t.True((heapPage.Flags & PageTableFlags.NoExecute) != 0, "heap is executable");
        t.True(KernelTestSuites.Kernel.PageTable.Translate(VirtAddr.NewTruncate(BootLayout.Current->StackGuard)).IsError, "the stack guard page is mapped");
    }

    [KernelTest]
    private static void OffsetMapUsesHugePagesAndTranslatesToItself(TestContext t)
    {
        foreach (ulong physical in new ulong[] { 0x100000, 0x3FFF_F000 })
        {
            if (!TranslateOk(t, BootLayout.PhysicalMemoryOffset + physical, out Translation tr))
                return;
            t.Equal(physical, tr.Address.Value);
            t.True(tr.Frame.Size != PageSize.Size4KiB, "the offset map should use 2 MiB or 1 GiB pages");
            t.True((tr.Flags & PageTableFlags.NoExecute) != 0, "the offset map is executable");
        }
    }

    [KernelTest]
    private static void MemoryAbove4GiBIsInTheOffsetMap(TestContext t)
    {
        foreach (MemoryRegion r in KernelTestSuites.Kernel.BootInfo.MemoryMap.Regions)
        {
            if (r.Type != MemoryRegionType.Usable || r.End <= 0x1_0000_0000)
                continue;
            ulong physical = r.End - 0x1000;
            if (!TranslateOk(t, BootLayout.PhysicalMemoryOffset + physical, out Translation tr))
                return;
            t.Equal(physical, tr.Address.Value);
            ulong* word = (ulong*)(BootLayout.PhysicalMemoryOffset + physical);
            *word = 0xA5A5_0000_0000_5A5A ^ physical;
            t.Equal(0xA5A5_0000_0000_5A5A ^ physical, *word);
            return;
        }
        t.Skip("no RAM above 4 GiB in this configuration (boot with -m 8G)");
    }

    [KernelTest]
    private static void MapWriteReadUnmapAFreshPage(TestContext t)
    {
        Kernel kernel = KernelTestSuites.Kernel;
        Result<PhysFrame, AllocationError> frame = kernel.Frames.AllocateFrame();
        if (!t.True(frame.IsOk, "no free frame"))
            return;
        Page page = Page.TryFromStartAddress(VirtAddr.NewTruncate(ScratchAddress)).Value;
        var mapped = kernel.PageTable.MapTo(page, frame.Value, PageTableFlags.Present | PageTableFlags.Writable | PageTableFlags.NoExecute, kernel.Frames);
        if (!t.True(mapped.IsOk, "MapTo failed"))
            return;
        ulong* virtualWord = (ulong*)ScratchAddress;
        ulong* physicalWord = (ulong*)(BootLayout.PhysicalMemoryOffset + frame.Value.StartAddress.Value);
        virtualWord[0] = 0x0123_4567_89AB_CDEF;
        virtualWord[511] = 0xFEDC_BA98_7654_3210;
        t.Equal(0x0123_4567_89AB_CDEFul, physicalWord[0]);
        t.Equal(0xFEDC_BA98_7654_3210ul, physicalWord[511]);
        physicalWord[1] = 42;
        t.Equal(42ul, virtualWord[1]);
        var unmapped = kernel.PageTable.Unmap(page);
        if (t.True(unmapped.IsOk, "Unmap failed"))
            t.Equal(frame.Value.StartAddress.Value, unmapped.Value.StartAddress.Value);
        t.True(kernel.PageTable.Translate(VirtAddr.NewTruncate(ScratchAddress)).IsError, "still mapped after Unmap");
    }

    [KernelTest]
    private static void DoubleMapIsRefusedWithTheMappedFrame(TestContext t)
    {
        Kernel kernel = KernelTestSuites.Kernel;
        PhysFrame first = kernel.Frames.AllocateFrame().Value;
        PhysFrame second = kernel.Frames.AllocateFrame().Value;
        Page page = Page.TryFromStartAddress(VirtAddr.NewTruncate(ScratchAddress + 0x1000)).Value;
        PageTableFlags flags = PageTableFlags.Present | PageTableFlags.Writable | PageTableFlags.NoExecute;
        if (!t.True(kernel.PageTable.MapTo(page, first, flags, kernel.Frames).IsOk, "first MapTo failed"))
            return;
        var again = kernel.PageTable.MapTo(page, second, flags, kernel.Frames);
        if (t.True(again.IsError, "a second MapTo of a mapped page succeeded"))
        {
            t.Equal((int)MapErrorKind.PageAlreadyMapped, (int)again.Error.Kind);
            t.Equal(first.StartAddress.Value, again.Error.Frame.StartAddress.Value);
        }
        t.True(kernel.PageTable.Unmap(page).IsOk, "unmapping the page after the refused MapTo failed");
    }
}
