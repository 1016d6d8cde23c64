namespace StrixOS.Memory;

/// <summary>
/// Owns what all address spaces share: the kernel's level-4 table, whose upper half (entries 256-511) every
/// address space copies, the frame allocator, the CPU's paging controls and the PCIDs.
/// <para>Kernel-half sharing: below a kernel-half level-4 entry the tables are the kernel's own, shared by
/// every address space, so a kernel mapping made under a present entry is seen everywhere at once. Only the
/// level-4 entries themselves are copies. So the manager keeps every live address space in a list, and the
/// kernel's page table tells it (<see cref="KernelEntryWritten"/>) whenever it writes a kernel-half level-4
/// entry: on its cold path that creates a level-3 table under an empty entry, or widens an entry's rights.
/// The manager copies that entry into every live address space before the mapping call returns; a new
/// address space copies entries 256-511 at <see cref="Create"/>. The kernel's table never removes a
/// kernel-half level-4 entry (<see cref="OffsetPageTable.CleanUp"/> keeps those level-3 tables), so a copy
/// never points at a freed table. No level-3 table is made ahead of need.</para>
/// <para>Concurrency, as for kernel mappings: one CPU; the kernel maps with interrupts off, and callers do
/// not run two <see cref="Create"/> or <see cref="AddressSpace.Dispose"/> calls at once. A kernel mapping may
/// still run while a thread is inside Create (preempted): Create links the new address space first and copies
/// the kernel half again if an entry was written during its copy, so the entry is never lost.</para>
/// <para>One instance per kernel table (KernelHost keeps it); host tests make as many as they like, each over
/// its own kernel table.</para>
/// </summary>
public sealed unsafe class AddressSpaceManager
{
    public const int KernelHalfFirstEntry = 256;
    /// <summary>CR3 bit 63 with CR4.PCIDE: switch without flushing the new PCID's TLB entries.</summary>
    public const ulong Cr3NoFlush = 1UL << 63;

    private readonly OffsetPageTable _kernel;
    private readonly PcidPool? _pcids;
    private ulong _kernelGeneration;
    /// <summary>The live address spaces, linked through <see cref="AddressSpace.NextLive"/> (no allocation:
    /// the list is walked inside kernel mappings, which may be the heap's own growth).</summary>
    private AddressSpace? _firstLive;
    /// <summary>Bumped after each kernel-half level-4 entry is copied out; <see cref="Create"/> copies again
    /// if it moved during its copy.</summary>
    private ulong _kernelEntryWrites;

    private AddressSpaceManager(OffsetPageTable kernel, IFrameStore frames, IPagingHardware hardware, bool pcidEnabled)
    {
        _kernel = kernel;
        Frames = frames;
        Hardware = hardware;
        PcidEnabled = pcidEnabled;
        _pcids = pcidEnabled ? new PcidPool() : null;
    }

    /// <summary>
    /// The manager over <paramref name="kernelPageTable"/>: from now on that table reports every kernel-half
    /// level-4 entry it writes to this manager, which copies it into the live address spaces. Every table and
    /// frame address spaces need comes from <paramref name="frames"/>. <paramref name="pcidEnabled"/>: the
    /// kernel has set CR4.PCIDE (CPUID.1:ECX bit 17 reports PCID); address spaces then get PCIDs and switches
    /// keep TLB entries. Refused, changing nothing, when a kernel-half level-4 entry is user accessible or
    /// another manager already shares this table's kernel half.
    /// </summary>
    public static Result<AddressSpaceManager, AddressSpaceError> Init(
        OffsetPageTable kernelPageTable, IFrameStore frames, IPagingHardware hardware, bool pcidEnabled)
    {
        PageTableEntry* entries = (PageTableEntry*)kernelPageTable.TableAt(kernelPageTable.Level4Frame.StartAddress);
        for (int i = KernelHalfFirstEntry; i < PageTable.EntryCount; i++)
        {
            if (!entries[i].IsUnused && (entries[i].Flags & PageTableFlags.UserAccessible) != 0)
                return AddressSpaceError.KernelEntryUserAccessible;
        }
        if (kernelPageTable.SharesKernelHalf)
            return AddressSpaceError.KernelHalfAlreadyShared;
        var manager = new AddressSpaceManager(kernelPageTable, frames, hardware, pcidEnabled);
        kernelPageTable.ShareKernelHalfWith(manager);
        return manager;
    }

    public PhysFrame KernelLevel4Frame => _kernel.Level4Frame;
    public ulong PhysicalMemoryOffset => _kernel.PhysicalMemoryOffset;
    /// <summary>Where address spaces take their tables and frames, and return them.</summary>
    public IFrameStore Frames { get; }
    public IFrameAllocator Allocator => Frames;
    public IFrameDeallocator Deallocator => Frames;
    public IPagingHardware Hardware { get; }
    public bool PcidEnabled { get; }
    /// <summary>Address spaces created and not yet disposed.</summary>
    public int LiveCount { get; private set; }
    /// <summary>The address space in CR3, or null when the kernel's own table is.</summary>
    public AddressSpace? Active { get; private set; }
    /// <summary>PCIDs still free (0 without PCID support).</summary>
    public int FreePcids => _pcids?.Available ?? 0;

    /// <summary>Bumped by <see cref="KernelMappingsChanged"/>; an address space activated before the bump flushes.</summary>
    internal ulong KernelGeneration => _kernelGeneration;

    /// <summary>
    /// A new address space: a level-4 table whose kernel half copies the kernel's entries 256-511 and whose
    /// user half is empty, with its own PCID when PCIDs are on and one is free.
    /// </summary>
    public Result<AddressSpace, AddressSpaceError> Create()
    {
        if (!Allocator.AllocateFrame().TryGetValue(out PhysFrame frame))
            return AddressSpaceError.OutOfFrames;
        ulong offset = _kernel.PhysicalMemoryOffset;
        PageTableEntry* fresh = (PageTableEntry*)(offset + frame.StartAddress.Value);
        for (int i = 0; i < KernelHalfFirstEntry; i++)
            fresh[i] = default;
        ushort pcid = _pcids?.Take() ?? PcidPool.Untagged;
        var space = new AddressSpace(this, new OffsetPageTable(frame, offset, Hardware), pcid);
        // Linked before the copy: a kernel entry written from here on is copied into it by KernelEntryWritten.
        // One written during the copy may have been overwritten by the copy's older read: copy again then.
        Link(space);
        PageTableEntry* kernel = (PageTableEntry*)_kernel.TableAt(_kernel.Level4Frame.StartAddress);
        ulong writes;
        do
        {
            writes = System.Threading.Volatile.Read(ref _kernelEntryWrites);
            for (int i = KernelHalfFirstEntry; i < PageTable.EntryCount; i++)
                fresh[i] = kernel[i];
        }
        while (System.Threading.Volatile.Read(ref _kernelEntryWrites) != writes);
        LiveCount++;
        return space;
    }

    /// <summary>
    /// Called by the kernel's page table after it wrote its kernel-half level-4 entry <paramref name="index"/>:
    /// copies the entry into every live address space. <paramref name="created"/>: the entry was unused (a new
    /// level-3 table), which no TLB holds, so nothing is flushed. Otherwise its flags changed, and another
    /// PCID may cache the old entry: as after <see cref="KernelMappingsChanged"/>, every address space flushes
    /// at its next activation (the kernel's table flushed the current PCID itself).
    /// </summary>
    internal void KernelEntryWritten(int index, bool created)
    {
        PageTableEntry entry = ((PageTableEntry*)_kernel.TableAt(_kernel.Level4Frame.StartAddress))[index];
        ulong offset = _kernel.PhysicalMemoryOffset;
        for (AddressSpace? space = _firstLive; space != null; space = space.NextLive)
            ((PageTableEntry*)(offset + space.Level4Frame.StartAddress.Value))[index] = entry;
        if (!created)
            _kernelGeneration++;
        System.Threading.Volatile.Write(ref _kernelEntryWrites, _kernelEntryWrites + 1);
    }

    /// <summary>Loads the kernel's own table (PCID 0), e.g. before disposing the active address space.
    /// Always flushes PCID 0: address spaces without a PCID of their own share it.</summary>
    public void ActivateKernel()
    {
        Hardware.WriteCr3(_kernel.Level4Frame.StartAddress.Value);
        Active = null;
    }

    /// <summary>
    /// Call after unmapping a kernel-half page or narrowing its flags, when PCIDs are on: invlpg only drops the
    /// page for the current PCID (and global pages for all), so every other address space flushes its TLB at
    /// its next activation. Not needed for new mappings (absent entries are never cached) nor for global pages.
    /// </summary>
    public void KernelMappingsChanged() => _kernelGeneration++;

    internal void SetActive(AddressSpace space) => Active = space;

    /// <summary>Takes <paramref name="space"/> out of the live list, before its level-4 table is freed: from
    /// then on no kernel entry is copied into that frame.</summary>
    internal void Retire(AddressSpace space)
    {
        Unlink(space);
        _pcids?.Return(space.Pcid);
        LiveCount--;
    }

    /// <summary>Puts <paramref name="space"/> at the head of the live list. The head is written last, so a walk
    /// of the list (a kernel mapping that preempted this) sees the old list or the new one, both whole.</summary>
    private void Link(AddressSpace space)
    {
        space.NextLive = _firstLive;
        space.PreviousLive = null;
        if (_firstLive != null)
            _firstLive.PreviousLive = space;
        _firstLive = space;
    }

    /// <summary>Takes <paramref name="space"/> out of the live list: after the one forward link that reached it
    /// is rewritten, no walk of the list reaches it. Its own forward link stays, so a walk already standing on
    /// it still reaches the rest.</summary>
    private void Unlink(AddressSpace space)
    {
        AddressSpace? next = space.NextLive, previous = space.PreviousLive;
        if (previous == null)
            _firstLive = next;
        else
            previous.NextLive = next;
        if (next != null)
            next.PreviousLive = previous;
        space.PreviousLive = null;
    }
}
