using System;
using System.Collections.Generic;
using StrixOS.Memory;
using StrixOS.Memory.PhysicalMemory;
using StrixOS.Tests.Memory;
using Xunit;
using static StrixOS.Tests.AddressSpaces.AddressSpaceFixture;

namespace StrixOS.Tests.AddressSpaces;

public unsafe class AddressSpaceTests
{
    private const ulong UserPage = 0x0000_0040_0000_0000 + 0x1000; // P4 0, P3 256, a typical user address
    private const PageTableFlags UserRw = PageTableFlags.Writable | PageTableFlags.NoExecute;

    // ---------------------------------------------------------------- Init

    // Until issue 17.4, Init gave every empty kernel-half level-4 entry a level-3 table (254 here) so that no
    // kernel-half level-4 entry ever changed. Now nothing is made ahead of need: the kernel's table reports each
    // kernel-half level-4 entry it writes and the manager copies it into the live address spaces. The tests
    // that counted 254 pre-created tables became the tests below: nothing is pre-created, no frame is taken.

    [Fact]
    public void Init_CreatesNoKernelHalfTable_AndTakesNoFrame()
    {
        using AddressSpaceFixture f = new();
        // The fixture's boot made slots 256 (offset map) and 511 (kernel image); Init added nothing.
        for (int i = 256; i < 512; i++)
        {
            PageTableEntry entry = f.KernelLevel4[PageTableIndex.TryNew(i).Value];
            Assert.Equal(i == 256 || i == 511, entry.IsPresent);
        }
        for (int i = 0; i < 256; i++)
            Assert.True(f.KernelLevel4[PageTableIndex.TryNew(i).Value].IsUnused);
        Assert.True(f.KernelTable.SharesKernelHalf);
    }

    [Fact]
    public void Init_WithNoFrameLeft_SucceedsAndChangesNoTable()
    {
        using PagingFixture p = new(poolFrames: 300);
        p.Allocator.LeaveOnly(0);
        byte[] before = p.SnapshotTables();
        Result<AddressSpaceManager, AddressSpaceError> result = AddressSpaceManager.Init(p.Mapper, p.Allocator, p.Hardware, false);
        Assert.True(result.IsOk);
        Assert.Equal(before, p.SnapshotTables());
        Assert.Equal(0, p.Allocator.FreeCount);
    }

    [Fact]
    public void Init_ASecondManagerOverTheSameKernelTable_IsRefused()
    {
        using AddressSpaceFixture f = new();
        ulong free = f.Frames.FreeFrames;
        Result<AddressSpaceManager, AddressSpaceError> again = AddressSpaceManager.Init(f.KernelTable, f.Frames, f.Hardware, pcidEnabled: false);
        Assert.Equal(AddressSpaceError.KernelHalfAlreadyShared, again.Error);
        Assert.Equal(free, f.Frames.FreeFrames);
        // The first manager still gets the kernel's new entries.
        AddressSpace space = f.Create();
        Map(f.KernelTable, LateKernelBase, 0x7000, f.Frames);
        Assert.Equal(0x7010UL, f.MapperOf(space).TranslateAddr(Virt(LateKernelBase + 0x10)).Value.Value);
    }

    [Fact]
    public void Init_RefusesAUserAccessibleKernelEntry()
    {
        using PagingFixture p = new();
        Map(p.Mapper, 0xFFFF_8000_0000_0000, 0x5000, p.Allocator, PageTableFlags.UserAccessible);
        byte[] before = p.SnapshotTables();
        Result<AddressSpaceManager, AddressSpaceError> result = AddressSpaceManager.Init(p.Mapper, p.Allocator, p.Hardware, false);
        Assert.Equal(AddressSpaceError.KernelEntryUserAccessible, result.Error);
        Assert.False(p.Mapper.SharesKernelHalf);
        Assert.Equal(before, p.SnapshotTables());
    }

    // ---------------------------------------------------------------- Create

    [Fact]
    public void Create_SharesTheKernelHalfAndStartsWithAnEmptyUserHalf()
    {
        using AddressSpaceFixture f = new();
        ulong free = f.Frames.FreeFrames;
        AddressSpace space = f.Create();
        Assert.Equal(free - 1, f.Frames.FreeFrames);
        for (int i = 0; i < 512; i++)
        {
            PageTableIndex index = PageTableIndex.TryNew(i).Value;
            if (i < 256)
                Assert.True(f.Level4Of(space)[index].IsUnused);
            else
                Assert.Equal(f.KernelLevel4[index], f.Level4Of(space)[index]);
        }
        Assert.Equal(1, f.Manager.LiveCount);
        Assert.False(space.IsActive);
    }

    [Fact]
    public void Create_WithNoFrameLeft_FailsCleanly()
    {
        using AddressSpaceFixture f = new();
        while (f.Frames.AllocateFrame().IsOk) { }
        Assert.Equal(AddressSpaceError.OutOfFrames, f.Manager.Create().Error);
        Assert.Equal(0, f.Manager.LiveCount);
    }

    // ---------------------------------------------------------------- Map, Translate, Unmap

    [Fact]
    public void Map_GivesAZeroedOwnedFrame_UserAccessibleDownTheWholeWalk()
    {
        using AddressSpaceFixture f = new();
        AddressSpace space = f.Create();
        PhysFrame frame = space.Map(PageAt(UserPage), UserRw).Value;

        Translation translation = space.Translate(Virt(UserPage + 0x123)).Value;
        Assert.Equal(frame, translation.Frame);
        Assert.Equal(0x123UL, translation.Offset);
        Assert.Equal(PageTableFlags.Present | PageTableFlags.UserAccessible | UserRw | AddressSpace.OwnedFrameBit, translation.Flags);
        Assert.Equal(1UL, space.OwnedFrames);

        // Every parent on the walk is user accessible and writable; kernel entries are untouched.
        VirtAddr va = Virt(UserPage);
        PageTableEntry p4 = f.Level4Of(space)[va.P4Index];
        PageTableEntry p3 = f.Table(p4.Address)[va.P3Index];
        PageTableEntry p2 = f.Table(p3.Address)[va.P2Index];
        foreach (PageTableEntry parent in new[] { p4, p3, p2 })
            Assert.Equal(PageTableFlags.Present | PageTableFlags.Writable | PageTableFlags.UserAccessible, parent.Flags);
        for (int i = 256; i < 512; i++)
            Assert.Equal(PageTableFlags.None, f.Level4Of(space)[PageTableIndex.TryNew(i).Value].Flags & PageTableFlags.UserAccessible);
    }

    [Fact]
    public void Map_ZeroesTheFrame_SoNoDataLeaksFromItsLastOwner()
    {
        using AddressSpaceFixture f = new();
        AddressSpace space = f.Create();
        PhysFrame frame = space.Map(PageAt(UserPage), UserRw).Value;
        f.Memory.Bytes(frame.StartAddress, Frame).Fill(0xAB);
        _ = space.Unmap(PageAt(UserPage));
        // The allocator hands the most recently freed frame out first.
        PhysFrame again = space.Map(PageAt(UserPage + Frame), UserRw).Value;
        Assert.Equal(frame, again);
        Assert.True(f.Memory.Bytes(again.StartAddress, Frame).IndexOfAnyExcept((byte)0) < 0);
    }

    [Fact]
    public void Map_StripsGlobalAndHugePageFromUserLeaves()
    {
        using AddressSpaceFixture f = new();
        AddressSpace space = f.Create();
        _ = space.Map(PageAt(UserPage), PageTableFlags.Global | PageTableFlags.HugePage | AddressSpace.OwnedFrameBit);
        Translation translation = space.Translate(Virt(UserPage)).Value;
        Assert.Equal(PageTableFlags.Present | PageTableFlags.UserAccessible | AddressSpace.OwnedFrameBit, translation.Flags);
    }

    [Fact]
    public void KernelHalfAddresses_AreRefused()
    {
        using AddressSpaceFixture f = new();
        AddressSpace space = f.Create();
        ulong free = f.Frames.FreeFrames;
        Assert.Equal(AddressSpaceError.KernelAddress, space.Map(PageAt(LateKernelBase), UserRw).Error);
        Assert.Equal(AddressSpaceError.KernelAddress, space.MapFrame(PageAt(LateKernelBase), FrameAt(0x5000), UserRw).Error);
        Assert.Equal(AddressSpaceError.KernelAddress, space.Unmap(PageAt(KernelImageBase)).Error);
        Assert.Equal(AddressSpaceError.KernelAddress, space.Translate(Virt(KernelImageBase)).Error);
        Assert.Equal(free, f.Frames.FreeFrames);
    }

    [Fact]
    public void MappingTwice_IsRefusedAndLeaksNoFrame()
    {
        using AddressSpaceFixture f = new();
        AddressSpace space = f.Create();
        PhysFrame first = space.Map(PageAt(UserPage), UserRw).Value;
        ulong free = f.Frames.FreeFrames;
        Assert.Equal(AddressSpaceError.AlreadyMapped, space.Map(PageAt(UserPage), UserRw).Error);
        Assert.Equal(AddressSpaceError.AlreadyMapped, space.MapFrame(PageAt(UserPage), FrameAt(0x5000), UserRw).Error);
        Assert.Equal(free, f.Frames.FreeFrames);
        Assert.Equal(first, space.Translate(Virt(UserPage)).Value.Frame);
    }

    [Fact]
    public void Map_HugePage_IsOnlyForMapFrame()
    {
        using AddressSpaceFixture f = new();
        AddressSpace space = f.Create();
        Assert.Equal(AddressSpaceError.UnsupportedPageSize, space.Map(PageAt(0x20_0000, PageSize.Size2MiB), UserRw).Error);
        Assert.Equal(AddressSpaceError.UnsupportedPageSize, space.MapFrame(PageAt(0x20_0000, PageSize.Size2MiB), FrameAt(0x5000), UserRw).Error);
        PhysFrame huge = FrameAt(0x20_0000, PageSize.Size2MiB);
        Assert.True(space.MapFrame(PageAt(0x20_0000, PageSize.Size2MiB), huge, UserRw).IsOk);
        Assert.Equal(AddressSpaceError.HugePageInTheWay, space.Map(PageAt(0x20_1000), UserRw).Error);
        Assert.Equal(huge, space.Translate(Virt(0x20_1000)).Value.Frame);
    }

    [Fact]
    public void Map_OutOfFrames_ChangesNothing()
    {
        using AddressSpaceFixture f = new();
        AddressSpace space = f.Create();
        List<PhysFrame> hoard = new();
        while (f.Frames.FreeFrames > 2 && f.Frames.AllocateFrame().TryGetValue(out PhysFrame frame))
            hoard.Add(frame);
        // Two frames left: the page's frame plus one table, but a first mapping needs three tables.
        byte[] level4 = f.Memory.Snapshot(space.Level4Frame.StartAddress, Frame);
        Assert.Equal(AddressSpaceError.OutOfFrames, space.Map(PageAt(UserPage), UserRw).Error);
        Assert.Equal(2UL, f.Frames.FreeFrames);
        Assert.Equal(level4, f.Memory.Snapshot(space.Level4Frame.StartAddress, Frame));
        Assert.Equal(0UL, space.OwnedFrames);

        // Frees restore service.
        foreach (PhysFrame frame in hoard)
            _ = f.Frames.Free(frame);
        Assert.True(space.Map(PageAt(UserPage), UserRw).IsOk);
    }

    [Fact]
    public void Unmap_GivesAnOwnedFrameBack_ButNotABorrowedOne()
    {
        using AddressSpaceFixture f = new();
        AddressSpace space = f.Create();
        PhysFrame borrowed = f.Frames.AllocateFrame().Value;
        PhysFrame owned = space.Map(PageAt(UserPage), UserRw).Value;
        _ = space.MapFrame(PageAt(UserPage + Frame), borrowed, UserRw);
        ulong free = f.Frames.FreeFrames;

        Assert.Equal(owned, space.Unmap(PageAt(UserPage)).Value);
        Assert.Equal(free + 1, f.Frames.FreeFrames);
        Assert.True(f.Frames.IsFree(owned));
        Assert.Equal(borrowed, space.Unmap(PageAt(UserPage + Frame)).Value);
        Assert.Equal(free + 1, f.Frames.FreeFrames);
        Assert.False(f.Frames.IsFree(borrowed));
        Assert.Equal(AddressSpaceError.NotMapped, space.Unmap(PageAt(UserPage)).Error);
        Assert.Equal(AddressSpaceError.NotMapped, space.Translate(Virt(UserPage)).Error);
        Assert.Equal(0UL, space.OwnedFrames);
    }

    [Fact]
    public void ReleaseEmptyTables_FreesTheUserTablesLeftByUnmapping()
    {
        using AddressSpaceFixture f = new();
        AddressSpace space = f.Create();
        ulong free = f.Frames.FreeFrames;
        _ = space.Map(PageAt(UserPage), UserRw);
        _ = space.Unmap(PageAt(UserPage));
        Assert.Equal(free - 3, f.Frames.FreeFrames); // P3, P2, P1 stay
        Assert.Equal(3UL, space.ReleaseEmptyTables().Value);
        Assert.Equal(free, f.Frames.FreeFrames);
        Assert.True(f.Level4Of(space)[Virt(UserPage).P4Index].IsUnused);
        for (int i = 256; i < 512; i++)
            Assert.Equal(f.KernelLevel4[PageTableIndex.TryNew(i).Value], f.Level4Of(space)[PageTableIndex.TryNew(i).Value]);
    }

    // ---------------------------------------------------------------- isolation and sharing

    [Fact]
    public void TheSameUserAddress_MapsToDifferentFramesInTwoSpaces()
    {
        using AddressSpaceFixture f = new();
        AddressSpace a = f.Create();
        AddressSpace b = f.Create();
        PhysFrame inA = a.Map(PageAt(UserPage), UserRw).Value;
        Assert.Equal(AddressSpaceError.NotMapped, b.Translate(Virt(UserPage)).Error);
        PhysFrame inB = b.Map(PageAt(UserPage), UserRw).Value;
        Assert.NotEqual(inA, inB);
        Assert.Equal(inA, a.Translate(Virt(UserPage)).Value.Frame);
        Assert.Equal(inB, b.Translate(Virt(UserPage)).Value.Frame);
        Assert.NotEqual(f.Level4Of(a)[Virt(UserPage).P4Index].Address, f.Level4Of(b)[Virt(UserPage).P4Index].Address);
    }

    [Fact]
    public void AKernelMappingInANeverUsedSlot_IsSeenBySpacesCreatedBeforeAndAfter()
    {
        using AddressSpaceFixture f = new();
        PageTableIndex slot = Virt(LateKernelBase).P4Index;
        AddressSpace before = f.Create();
        AddressSpace other = f.Create();
        Assert.True(f.KernelLevel4[slot].IsUnused);
        Assert.True(f.Level4Of(before)[slot].IsUnused);
        Map(f.KernelTable, LateKernelBase + 0x1234_5000, 0x7000, f.Frames);
        AddressSpace after = f.Create();
        Assert.True(f.KernelLevel4[slot].IsPresent);
        foreach (AddressSpace space in new[] { before, other, after })
        {
            Assert.Equal(f.KernelLevel4[slot], f.Level4Of(space)[slot]);
            PhysAddr seen = f.MapperOf(space).TranslateAddr(Virt(LateKernelBase + 0x1234_5678)).Value;
            Assert.Equal(0x7678UL, seen.Value);
        }
        // And the offset map from boot.
        Assert.Equal(0x3000UL, f.MapperOf(before).TranslateAddr(Virt(OffsetMapBase + 0x3000)).Value.Value);
    }

    [Fact]
    public void AKernelRangeInNeverUsedSlots_IsSeenByALiveSpace()
    {
        using AddressSpaceFixture f = new();
        AddressSpace space = f.Create();
        // Two slots at once: the last 2 MiB of slot 299 and the first 2 MiB of slot 300.
        ulong start = LateKernelBase - 0x20_0000;
        Assert.True(f.KernelTable.MapRange(Virt(start), PhysAddr.TryNew(0x20_0000).Value, 0x40_0000,
            PageTableFlags.Writable | PageTableFlags.NoExecute, f.Frames, allowHugePages: false).IsOk);
        OffsetPageTable mapper = f.MapperOf(space);
        Assert.Equal(0x20_0008UL, mapper.TranslateAddr(Virt(start + 8)).Value.Value);
        Assert.Equal(0x5F_F008UL, mapper.TranslateAddr(Virt(start + 0x3F_F008)).Value.Value);
        for (int i = 256; i < 512; i++)
            Assert.Equal(f.KernelLevel4[PageTableIndex.TryNew(i).Value], f.Level4Of(space)[PageTableIndex.TryNew(i).Value]);
    }

    [Fact]
    public void AWidenedKernelEntry_IsCopiedIntoLiveSpacesToo()
    {
        using AddressSpaceFixture f = new();
        AddressSpace space = f.Create();
        PageTableIndex slot = Virt(LateKernelBase).P4Index;
        _ = space.Activate();
        f.Manager.ActivateKernel();
        // A read-only first mapping makes the level-4 entry without Writable: new, so no TLB holds it, and the
        // space keeps its TLB entries at its next activation.
        Map(f.KernelTable, LateKernelBase, 0x7000, f.Frames, PageTableFlags.NoExecute);
        Assert.Equal(PageTableFlags.None, f.Level4Of(space)[slot].Flags & PageTableFlags.Writable);
        Assert.NotEqual(0UL, space.Activate().Value & AddressSpaceManager.Cr3NoFlush);
        f.Manager.ActivateKernel();
        // A writable one then widens it: copied too, and the space's PCID may cache the old entry, so it flushes.
        Map(f.KernelTable, LateKernelBase + 0x4000_0000, 0x8000, f.Frames, PageTableFlags.Writable);
        Assert.NotEqual(PageTableFlags.None, f.KernelLevel4[slot].Flags & PageTableFlags.Writable);
        Assert.Equal(f.KernelLevel4[slot], f.Level4Of(space)[slot]);
        Assert.Equal(0UL, space.Activate().Value & AddressSpaceManager.Cr3NoFlush);
    }

    [Fact]
    public void KernelEntriesChangedByRangeFlagsAndSetP4EntryFlags_AreCopiedIntoLiveSpaces()
    {
        using AddressSpaceFixture f = new();
        AddressSpace space = f.Create();
        PageTableIndex slot = Virt(LateKernelBase).P4Index;
        Map(f.KernelTable, LateKernelBase, 0x7000, f.Frames, PageTableFlags.NoExecute);
        Assert.True(f.KernelTable.UpdateRangeFlags(Virt(LateKernelBase), Frame, PageTableFlags.Writable, PageTableFlags.None, f.Frames).IsOk);
        Assert.NotEqual(PageTableFlags.None, f.KernelLevel4[slot].Flags & PageTableFlags.Writable);
        Assert.Equal(f.KernelLevel4[slot], f.Level4Of(space)[slot]);
        Assert.True(f.KernelTable.SetP4EntryFlags(Virt(LateKernelBase), PageTableFlags.Writable | PageTableFlags.NoExecute).IsOk);
        Assert.NotEqual(PageTableFlags.None, f.KernelLevel4[slot].Flags & PageTableFlags.NoExecute);
        Assert.Equal(f.KernelLevel4[slot], f.Level4Of(space)[slot]);
    }

    [Fact]
    public void ADisposedSpace_IsNotWrittenByALaterKernelEntry()
    {
        using AddressSpaceFixture f = new();
        AddressSpace gone = f.Create();
        AddressSpace live = f.Create();
        PhysFrame goneFrame = gone.Level4Frame;
        Assert.True(gone.Dispose().IsOk);
        // Hold the freed level-4 frame (the allocator hands the last freed frame out first) and mark it.
        Assert.Equal(goneFrame, f.Frames.AllocateFrame().Value);
        f.Memory.Bytes(goneFrame.StartAddress, Frame).Fill(0xAB);
        Map(f.KernelTable, LateKernelBase, 0x7000, f.Frames);
        Assert.True(f.Memory.Bytes(goneFrame.StartAddress, Frame).IndexOfAnyExcept((byte)0xAB) < 0);
        Assert.Equal(0x7000UL, f.MapperOf(live).TranslateAddr(Virt(LateKernelBase)).Value.Value);
        Assert.Equal(1, f.Manager.LiveCount);
    }

    [Fact]
    public void CleanUp_OfTheKernelTable_KeepsSharedKernelHalfLevel3Tables()
    {
        using AddressSpaceFixture f = new();
        AddressSpace space = f.Create();
        PageTableIndex slot = Virt(LateKernelBase).P4Index;
        Map(f.KernelTable, LateKernelBase, 0x7000, f.Frames);
        PageTableEntry entry = f.KernelLevel4[slot];
        Assert.True(f.KernelTable.Unmap(PageAt(LateKernelBase)).IsOk);
        ulong free = f.Frames.FreeFrames;
        // The empty P1 and P2 go; the P3 stays, as the address space's copy of the entry points at it.
        Assert.Equal(2UL, f.KernelTable.CleanUp(f.Frames));
        Assert.Equal(free + 2, f.Frames.FreeFrames);
        Assert.Equal(entry, f.KernelLevel4[slot]);
        Assert.Equal(entry, f.Level4Of(space)[slot]);
        Assert.False(f.Frames.IsFree(PhysFrame.ContainingAddress(entry.Address)));
        // The same slot maps again through the kept table, still seen by the space.
        Map(f.KernelTable, LateKernelBase, 0x8000, f.Frames);
        Assert.Equal(0x8000UL, f.MapperOf(space).TranslateAddr(Virt(LateKernelBase)).Value.Value);
    }

    [Fact]
    public void CleanUp_OfAnUnsharedTable_StillFreesEmptyKernelHalfLevel3Tables()
    {
        using PagingFixture p = new();
        Map(p.Mapper, LateKernelBase, 0x7000, p.Allocator);
        Assert.True(p.Mapper.Unmap(PageAt(LateKernelBase)).IsOk);
        Assert.Equal(3UL, p.Mapper.CleanUp(p.Allocator));
        Assert.True(p.EntryAt(Virt(LateKernelBase), PageTableLevel.Four).IsUnused);
    }

    // ---------------------------------------------------------------- Activate

    [Fact]
    public void Activate_WithoutPcid_WritesTheTableAddress()
    {
        using AddressSpaceFixture f = new(pcid: false);
        AddressSpace space = f.Create();
        Assert.Equal(0, space.Pcid);
        Assert.Equal(space.Level4Frame.StartAddress.Value, space.Activate().Value);
        Assert.Equal(space.Level4Frame.StartAddress.Value, f.Hardware.Cr3);
        Assert.True(space.IsActive);
        Assert.Same(space, f.Manager.Active);
        Assert.Equal(0, f.Manager.FreePcids);
    }

    [Fact]
    public void Activate_WithPcid_KeepsTheTlbOnlyWhenItIsCurrent()
    {
        using AddressSpaceFixture f = new(pcid: true);
        AddressSpace a = f.Create();
        AddressSpace b = f.Create();
        Assert.Equal(1, a.Pcid);
        Assert.Equal(2, b.Pcid);
        ulong aBase = a.Level4Frame.StartAddress.Value | 1;

        Assert.Equal(aBase, a.Activate().Value); // first activation flushes
        _ = b.Activate();
        Assert.Equal(aBase | AddressSpaceManager.Cr3NoFlush, a.Activate().Value); // unchanged: keep
        _ = b.Activate();
        _ = a.Map(PageAt(UserPage), UserRw); // changed while inactive
        Assert.Equal(aBase, a.Activate().Value);
        _ = a.Map(PageAt(UserPage + Frame), UserRw); // changed while active: invlpg covers it
        _ = b.Activate();
        Assert.Equal(aBase | AddressSpaceManager.Cr3NoFlush, a.Activate().Value);

        _ = b.Activate();
        f.Manager.KernelMappingsChanged();
        Assert.Equal(aBase, a.Activate().Value);
    }

    [Fact]
    public void ActivateKernel_LoadsTheKernelTableWithPcidZeroAndFlushes()
    {
        using AddressSpaceFixture f = new(pcid: true);
        AddressSpace a = f.Create();
        _ = a.Activate();
        f.Manager.ActivateKernel();
        Assert.Equal(f.Level4Frame.StartAddress.Value, f.Hardware.Cr3);
        Assert.Null(f.Manager.Active);
        Assert.False(a.IsActive);
    }

    [Fact]
    public void AReusedPcid_IsFlushedAtItsNewOwnersFirstActivation()
    {
        using AddressSpaceFixture f = new(pcid: true);
        AddressSpace dead = f.Create();
        _ = dead.Activate();
        f.Manager.ActivateKernel();
        _ = dead.Activate();
        f.Manager.ActivateKernel();
        ushort pcid = dead.Pcid;
        _ = dead.Dispose();

        AddressSpace heir = f.Create();
        Assert.Equal(pcid, heir.Pcid);
        ulong cr3 = heir.Activate().Value;
        Assert.Equal(0UL, cr3 & AddressSpaceManager.Cr3NoFlush);
        Assert.Equal((ulong)pcid, cr3 & 0xFFF);
    }

    [Fact]
    public void BeyondFourThousandNinetyFiveSpaces_TheRestShareUntaggedPcidZeroAndAlwaysFlush()
    {
        using AddressSpaceFixture f = new(pcid: true, memoryBytes: 24 * 1024 * 1024);
        HashSet<ushort> pcids = new();
        List<AddressSpace> spaces = new();
        for (int i = 0; i < 4095; i++)
        {
            AddressSpace space = f.Create();
            Assert.True(pcids.Add(space.Pcid));
            spaces.Add(space);
        }
        Assert.DoesNotContain((ushort)0, pcids);
        AddressSpace untagged = f.Create();
        Assert.Equal(0, untagged.Pcid);
        _ = untagged.Activate();
        f.Manager.ActivateKernel();
        Assert.Equal(0UL, untagged.Activate().Value & AddressSpaceManager.Cr3NoFlush);
        f.Manager.ActivateKernel();
        foreach (AddressSpace space in spaces)
            _ = space.Dispose();
        _ = untagged.Dispose();
        Assert.Equal(4095, f.Manager.FreePcids);
    }

    // ---------------------------------------------------------------- Dispose

    [Fact]
    public void Dispose_ReturnsEveryFrameAndLeavesTheKernelHalfAlone()
    {
        using AddressSpaceFixture f = new();
        ulong free = f.Frames.FreeFrames;
        byte[] kernelTables = f.Memory.Snapshot(f.Level4Frame.StartAddress, Frame);
        AddressSpace space = f.Create();
        PhysFrame borrowed = f.Frames.AllocateFrame().Value;
        for (ulong i = 0; i < 600; i++) // crosses a P1 table
            _ = space.Map(PageAt(UserPage + i * Frame), UserRw);
        _ = space.Map(PageAt(0x7FFF_FFFF_F000), UserRw); // the top user page: P4 255
        _ = space.MapFrame(PageAt(0x1000), borrowed, UserRw);
        _ = space.MapFrame(PageAt(0x4000_0000, PageSize.Size2MiB), FrameAt(0x20_0000, PageSize.Size2MiB), UserRw);

        // Level 4; P3 under P4 0 and 255; P2 under P3 0, 1 and 256 (P4 0) and under P4 255; P1: two for the
        // 600 pages, one at 0x1000, one for the top page.
        ulong tables = 1 + 2 + 4 + 4;
        Assert.Equal(tables + 600 + 1, space.Dispose().Value);
        Assert.Equal(free - 1, f.Frames.FreeFrames); // only the borrowed frame is still out
        Assert.False(f.Frames.IsFree(borrowed));
        Assert.Equal(kernelTables, f.Memory.Snapshot(f.Level4Frame.StartAddress, Frame));
        Assert.Equal(0, f.Manager.LiveCount);
        Assert.Equal(0UL, f.Frames.RejectedFrees);
    }

    [Fact]
    public void ADisposedSpace_RefusesEverything()
    {
        using AddressSpaceFixture f = new();
        AddressSpace space = f.Create();
        _ = space.Map(PageAt(UserPage), UserRw);
        _ = space.Dispose();
        ulong free = f.Frames.FreeFrames;
        ulong cr3 = f.Hardware.Cr3;
        Assert.True(space.IsDisposed);
        Assert.Equal(AddressSpaceError.Disposed, space.Map(PageAt(UserPage), UserRw).Error);
        Assert.Equal(AddressSpaceError.Disposed, space.MapFrame(PageAt(UserPage), FrameAt(0x5000), UserRw).Error);
        Assert.Equal(AddressSpaceError.Disposed, space.Unmap(PageAt(UserPage)).Error);
        Assert.Equal(AddressSpaceError.Disposed, space.Translate(Virt(UserPage)).Error);
        Assert.Equal(AddressSpaceError.Disposed, space.Activate().Error);
        Assert.Equal(AddressSpaceError.Disposed, space.ReleaseEmptyTables().Error);
        Assert.Equal(AddressSpaceError.Disposed, space.Dispose().Error);
        Assert.Equal(free, f.Frames.FreeFrames);
        Assert.Equal(cr3, f.Hardware.Cr3);
        Assert.Equal(0UL, f.Frames.RejectedFrees);
    }

    [Fact]
    public void TheActiveSpace_CannotBeDisposedUntilTheKernelTableIsBack()
    {
        using AddressSpaceFixture f = new();
        AddressSpace space = f.Create();
        _ = space.Activate();
        Assert.Equal(AddressSpaceError.StillActive, space.Dispose().Error);
        Assert.False(space.IsDisposed);
        f.Manager.ActivateKernel();
        Assert.True(space.Dispose().IsOk);
    }

    [Fact]
    public void TenThousandCreateDisposeCycles_LeakNoFrame()
    {
        using AddressSpaceFixture f = new();
        ulong free = f.Frames.FreeFrames;
        for (int i = 0; i < 10_000; i++)
        {
            AddressSpace space = f.Create();
            _ = space.Map(PageAt(UserPage + (ulong)(i % 7) * Frame), UserRw);
            _ = space.Activate();
            f.Manager.ActivateKernel();
            Assert.True(space.Dispose().IsOk);
        }
        Assert.Equal(free, f.Frames.FreeFrames);
        Assert.Equal(4095, f.Manager.FreePcids);
    }

    [Fact]
    public void Describe_NamesEveryError()
    {
        foreach (AddressSpaceError error in Enum.GetValues<AddressSpaceError>())
            Assert.DoesNotContain("unknown", error.Describe());
    }
}
