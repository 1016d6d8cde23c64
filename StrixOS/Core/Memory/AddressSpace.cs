namespace StrixOS.Memory;

/// <summary>
/// One user address space: a level-4 table whose lower half (entries 0-255) is its own and whose upper half
/// copies the kernel's entries, so it shares the kernel's level-3 tables (the manager keeps the copies
/// current, see <see cref="AddressSpaceManager"/>). Made by
/// <see cref="AddressSpaceManager.Create"/>.
/// <para>Only lower-half pages can be mapped, unmapped or translated; kernel-half addresses are refused. User
/// leaves and their parent tables get UserAccessible; kernel entries never do. Leaves never get Global
/// (a global user page would survive the switch to another address space).</para>
/// <para>Frames: <see cref="Map"/> takes a fresh zeroed frame from the allocator and the address space owns
/// it (marked in the leaf with <see cref="OwnedFrameBit"/>, an available bit): <see cref="Unmap"/> and
/// <see cref="Dispose"/> give it back. <see cref="MapFrame"/> maps a frame the caller keeps owning.</para>
/// <para>TLB: with PCIDs each address space has its own tag. A change to an inactive address space marks it
/// stale, and its next <see cref="Activate"/> writes CR3 without the no-flush bit, dropping every cached entry
/// of its PCID. A disposed address space's PCID goes back to the pool with its stale entries still cached; no
/// CR3 names that PCID until a new address space gets it, and a new address space's first activation always
/// flushes. So dead entries are never used, and no invpcid is needed. Without PCIDs every CR3 write flushes.</para>
/// <para>After <see cref="Dispose"/> every operation returns <see cref="AddressSpaceError.Disposed"/>.</para>
/// </summary>
public sealed unsafe class AddressSpace
{
    /// <summary>Marks a leaf whose frame this address space allocated and frees (bit 9, ignored by the MMU).</summary>
    public const PageTableFlags OwnedFrameBit = PageTableFlags.Bit9;

    private const PageTableFlags ManagedFlags = PageTableFlags.HugePage | PageTableFlags.Global | OwnedFrameBit;
    private const PageTableFlags HugeBit = PageTableFlags.HugePage;
    private const ulong LowerHalfEntries = AddressSpaceManager.KernelHalfFirstEntry;

    private readonly AddressSpaceManager _manager;
    private readonly OffsetPageTable _tables;
    private bool _stale = true;
    private ulong _flushedGeneration;

    internal AddressSpace(AddressSpaceManager manager, OffsetPageTable tables, ushort pcid)
    {
        _manager = manager;
        _tables = tables;
        Pcid = pcid;
    }

    /// <summary>The manager's list of live address spaces (it copies new kernel-half level-4 entries along it).</summary>
    internal AddressSpace? NextLive { get; set; }
    internal AddressSpace? PreviousLive { get; set; }

    public PhysFrame Level4Frame => _tables.Level4Frame;
    /// <summary>This address space's PCID; 0 without PCID support or when all 4095 are taken.</summary>
    public ushort Pcid { get; }
    public bool IsDisposed { get; private set; }
    public bool IsActive => !IsDisposed && _manager.Active == this;
    /// <summary>Frames mapped with <see cref="Map"/> and not yet unmapped.</summary>
    public ulong OwnedFrames { get; private set; }

    /// <summary>
    /// Maps the 4 KiB user <paramref name="page"/> to a fresh zeroed frame that this address space owns, with
    /// <paramref name="flags"/> plus Present and UserAccessible. Returns the frame.
    /// </summary>
    public Result<PhysFrame, AddressSpaceError> Map(Page page, PageTableFlags flags)
    {
        if (CheckUserPage(page).TryGetError(out AddressSpaceError refused))
            return refused;
        if (page.Size != PageSize.Size4KiB)
            return AddressSpaceError.UnsupportedPageSize;
        IFrameAllocator allocator = _manager.Allocator;
        if (!allocator.AllocateFrame().TryGetValue(out PhysFrame frame))
            return AddressSpaceError.OutOfFrames;
        // Zeroed before it becomes visible: no data leaks from the frame's last owner.
        new System.Span<byte>((byte*)_tables.TableAt(frame.StartAddress), (int)PageSizeExtensions.Bytes4KiB).Clear();
        Result<Page, MapError> mapped = _tables.MapTo(page, frame, LeafFlags(flags) | OwnedFrameBit, allocator);
        if (mapped.TryGetError(out MapError error))
        {
            _manager.Deallocator.DeallocateFrame(frame);
            return ErrorOf(error);
        }
        OwnedFrames++;
        Changed();
        return frame;
    }

    /// <summary>Maps the user <paramref name="page"/> (any size) to <paramref name="frame"/>, which the caller keeps
    /// owning: <see cref="Unmap"/> and <see cref="Dispose"/> do not free it.</summary>
    public Result<Page, AddressSpaceError> MapFrame(Page page, PhysFrame frame, PageTableFlags flags)
    {
        if (CheckUserPage(page).TryGetError(out AddressSpaceError refused))
            return refused;
        Result<Page, MapError> mapped = _tables.MapTo(page, frame, LeafFlags(flags), _manager.Allocator);
        if (mapped.TryGetError(out MapError error))
            return ErrorOf(error);
        Changed();
        return page;
    }

    /// <summary>
    /// Unmaps the user <paramref name="page"/> (at its size) and returns the frame it mapped. A frame from
    /// <see cref="Map"/> goes back to the allocator at once: do not touch it afterwards. Page tables stay until
    /// <see cref="ReleaseEmptyTables"/> or <see cref="Dispose"/>.
    /// </summary>
    public Result<PhysFrame, AddressSpaceError> Unmap(Page page)
    {
        if (CheckUserPage(page).TryGetError(out AddressSpaceError refused))
            return refused;
        bool owned = _tables.Translate(page.StartAddress).TryGetValue(out Translation before)
            && (before.Flags & OwnedFrameBit) != 0;
        Result<PhysFrame, MapError> unmapped = _tables.Unmap(page);
        if (unmapped.TryGetError(out MapError error))
            return ErrorOf(error);
        PhysFrame frame = unmapped.Value;
        if (owned)
        {
            _manager.Deallocator.DeallocateFrame(frame);
            OwnedFrames--;
        }
        Changed();
        return frame;
    }

    /// <summary>Where the user address <paramref name="address"/> is mapped (frame, offset, leaf flags).</summary>
    public Result<Translation, AddressSpaceError> Translate(VirtAddr address)
    {
        if (IsDisposed)
            return AddressSpaceError.Disposed;
        if (!address.IsLowerHalf)
            return AddressSpaceError.KernelAddress;
        Result<Translation, TranslateError> translation = _tables.Translate(address);
        if (translation.TryGetValue(out Translation found))
            return found;
        return translation.Error == TranslateError.NotMapped ? AddressSpaceError.NotMapped : AddressSpaceError.InvalidFrameAddress;
    }

    /// <summary>
    /// Writes CR3: this level-4 table, with its PCID when PCIDs are on. The no-flush bit is set only when this
    /// PCID's cached entries are known current (activated before, unchanged since, no kernel change since).
    /// Returns the value written.
    /// </summary>
    public Result<ulong, AddressSpaceError> Activate()
    {
        if (IsDisposed)
            return AddressSpaceError.Disposed;
        ulong cr3 = Level4Frame.StartAddress.Value;
        if (_manager.PcidEnabled)
        {
            cr3 |= Pcid;
            bool current = !_stale && _flushedGeneration == _manager.KernelGeneration && Pcid != PcidPool.Untagged;
            if (current)
                cr3 |= AddressSpaceManager.Cr3NoFlush;
        }
        _manager.Hardware.WriteCr3(cr3);
        _stale = false;
        _flushedGeneration = _manager.KernelGeneration;
        _manager.SetActive(this);
        return cr3;
    }

    /// <summary>Frees the user page tables that map nothing (after unmapping); returns how many.</summary>
    public Result<ulong, AddressSpaceError> ReleaseEmptyTables()
    {
        if (IsDisposed)
            return AddressSpaceError.Disposed;
        Result<ulong, MapError> freed = _tables.CleanUpRange(VirtAddr.Zero, VirtAddr.LowerHalfEnd, _manager.Deallocator);
        if (freed.TryGetError(out MapError error))
            return ErrorOf(error);
        Changed();
        return freed.Value;
    }

    /// <summary>
    /// Frees every user page table, every frame from <see cref="Map"/> and the level-4 table; the kernel half is
    /// shared and stays. Refused while active (CR3 would point at freed memory). Returns the frames freed.
    /// </summary>
    public Result<ulong, AddressSpaceError> Dispose()
    {
        if (IsDisposed)
            return AddressSpaceError.Disposed;
        if (IsActive)
            return AddressSpaceError.StillActive;
        PageTableEntry* level4 = (PageTableEntry*)_tables.TableAt(Level4Frame.StartAddress);
        ulong freed = 0;
        for (ulong i = 0; i < LowerHalfEntries; i++)
        {
            if (!level4[i].IsPresent)
                continue;
            freed += FreeTable(level4[i].Address, 3);
            level4[i] = default;
        }
        // Out of the manager's list before the level-4 frame goes: no kernel entry is copied into it later.
        _manager.Retire(this);
        _manager.Deallocator.DeallocateFrame(Level4Frame);
        freed++;
        OwnedFrames = 0;
        IsDisposed = true;
        return freed;
    }

    /// <summary>Frees the table at <paramref name="address"/> (a level-<paramref name="level"/> table), the
    /// tables below it and the owned frames its leaves map. Returns the frames freed.</summary>
    private ulong FreeTable(PhysAddr address, int level)
    {
        PageTableEntry* entries = (PageTableEntry*)_tables.TableAt(address);
        ulong freed = 0;
        for (int i = 0; i < PageTable.EntryCount; i++)
        {
            PageTableEntry entry = entries[i];
            if (!entry.IsPresent)
                continue;
            bool leaf = level == 1 || (entry.Flags & HugeBit) != 0;
            if (!leaf)
                freed += FreeTable(entry.Address, level - 1);
            else if ((entry.Flags & OwnedFrameBit) != 0)
            {
                _manager.Deallocator.DeallocateFrame(PhysFrame.NewUnchecked(entry.Address.Value, PageSize.Size4KiB));
                freed++;
            }
        }
        _manager.Deallocator.DeallocateFrame(PhysFrame.NewUnchecked(address.Value, PageSize.Size4KiB));
        return freed + 1;
    }

    private Result<Page, AddressSpaceError> CheckUserPage(Page page)
    {
        if (IsDisposed)
            return AddressSpaceError.Disposed;
        if (!page.StartAddress.IsLowerHalf)
            return AddressSpaceError.KernelAddress;
        return page;
    }

    /// <summary>User leaf flags: the caller's, minus the bits this class manages, plus Present and UserAccessible.</summary>
    private static PageTableFlags LeafFlags(PageTableFlags flags)
        => (flags & ~ManagedFlags) | PageTableFlags.Present | PageTableFlags.UserAccessible;

    /// <summary>An inactive address space's PCID may cache what just changed: flush at the next activation.</summary>
    private void Changed()
    {
        if (!IsActive)
            _stale = true;
    }

    private static AddressSpaceError ErrorOf(MapError error) => error.Kind.ToAddressSpaceError();
}
