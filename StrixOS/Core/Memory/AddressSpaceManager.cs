namespace StrixOS.Memory;

/// <summary>
/// Owns what all address spaces share: the kernel's level-4 table, whose upper half (entries 256-511) every
/// address space copies, the frame allocator, the CPU's paging controls and the PCIDs.
/// <para><see cref="Init"/> gives every empty kernel-half level-4 entry a zeroed level-3 table, once. After
/// that no kernel-half level-4 entry ever changes, so a kernel mapping made later (below those level-3
/// tables) is seen by every address space, old or new, without copying anything.</para>
/// <para>One instance per kernel (KernelHost keeps it); host tests make as many as they like.</para>
/// </summary>
public sealed unsafe class AddressSpaceManager
{
    public const int KernelHalfFirstEntry = 256;
    /// <summary>CR3 bit 63 with CR4.PCIDE: switch without flushing the new PCID's TLB entries.</summary>
    public const ulong Cr3NoFlush = 1UL << 63;

    private readonly OffsetPageTable _kernel;
    private readonly PcidPool? _pcids;
    private ulong _kernelGeneration;

    private AddressSpaceManager(OffsetPageTable kernel, IFrameStore frames,
        IPagingHardware hardware, bool pcidEnabled, int preCreated)
    {
        _kernel = kernel;
        Frames = frames;
        Hardware = hardware;
        PcidEnabled = pcidEnabled;
        _pcids = pcidEnabled ? new PcidPool() : null;
        PreCreatedTables = preCreated;
    }

    /// <summary>
    /// Prepares the kernel half of <paramref name="kernelPageTable"/> to be shared: every unused entry 256-511
    /// gets a fresh zeroed level-3 table (Present | Writable, never UserAccessible) from <paramref name="tables"/>.
    /// Returns how many it created. All or nothing: if the allocator cannot supply them all, nothing changes.
    /// Memory start-up calls it with the boot allocator, before the buddy allocator exists (MemorySystem).
    /// </summary>
    public static Result<int, AddressSpaceError> ShareKernelHalf(OffsetPageTable kernelPageTable, IFrameAllocator tables)
    {
        PageTableEntry* entries = (PageTableEntry*)kernelPageTable.TableAt(kernelPageTable.Level4Frame.StartAddress);
        int missing = 0;
        for (int i = KernelHalfFirstEntry; i < PageTable.EntryCount; i++)
        {
            if (entries[i].IsUnused)
                missing++;
            else if ((entries[i].Flags & PageTableFlags.UserAccessible) != 0)
                return AddressSpaceError.KernelEntryUserAccessible;
        }
        if (!tables.CanAllocate((ulong)missing))
            return AddressSpaceError.OutOfFrames;

        ulong offset = kernelPageTable.PhysicalMemoryOffset;
        for (int i = KernelHalfFirstEntry; i < PageTable.EntryCount; i++)
        {
            if (!entries[i].IsUnused)
                continue;
            if (!tables.AllocateFrame().TryGetValue(out PhysFrame frame))
                return AddressSpaceError.OutOfFrames; // CanAllocate promised otherwise: an allocator bug.
            ((PageTable*)(offset + frame.StartAddress.Value))->Zero();
            entries[i].SetAddress(frame.StartAddress, PageTableFlags.Present | PageTableFlags.Writable);
        }
        return missing;
    }

    /// <summary>
    /// The manager over <paramref name="kernelPageTable"/>: shares its kernel half (<see cref="ShareKernelHalf"/>,
    /// with tables from <paramref name="frames"/> for any entry still unused) and takes every later table and
    /// frame from <paramref name="frames"/>. <paramref name="pcidEnabled"/>: the kernel has set CR4.PCIDE
    /// (CPUID.1:ECX bit 17 reports PCID); address spaces then get PCIDs and switches keep TLB entries.
    /// </summary>
    public static Result<AddressSpaceManager, AddressSpaceError> Init(
        OffsetPageTable kernelPageTable, IFrameStore frames, IPagingHardware hardware, bool pcidEnabled)
    {
        Result<int, AddressSpaceError> shared = ShareKernelHalf(kernelPageTable, frames);
        if (shared.IsError)
            return shared.Error;
        return new AddressSpaceManager(kernelPageTable, frames, hardware, pcidEnabled, shared.Value);
    }

    public PhysFrame KernelLevel4Frame => _kernel.Level4Frame;
    public ulong PhysicalMemoryOffset => _kernel.PhysicalMemoryOffset;
    /// <summary>Where address spaces take their tables and frames, and return them.</summary>
    public IFrameStore Frames { get; }
    public IFrameAllocator Allocator => Frames;
    public IFrameDeallocator Deallocator => Frames;
    public IPagingHardware Hardware { get; }
    public bool PcidEnabled { get; }
    /// <summary>Level-3 tables <see cref="Init"/> created for the kernel half (0 when <see cref="ShareKernelHalf"/> ran before).</summary>
    public int PreCreatedTables { get; }
    /// <summary>Address spaces created and not yet disposed.</summary>
    public int LiveCount { get; private set; }
    /// <summary>The address space in CR3, or null when the kernel's own table is.</summary>
    public AddressSpace? Active { get; private set; }
    /// <summary>PCIDs still free (0 without PCID support).</summary>
    public int FreePcids => _pcids?.Available ?? 0;

    /// <summary>Bumped by <see cref="KernelMappingsChanged"/>; an address space activated before the bump flushes.</summary>
    internal ulong KernelGeneration => _kernelGeneration;

    /// <summary>
    /// A new address space: a zeroed level-4 table whose kernel half copies the kernel's entries 256-511 and whose
    /// user half is empty, with its own PCID when PCIDs are on and one is free.
    /// </summary>
    public Result<AddressSpace, AddressSpaceError> Create()
    {
        if (!Allocator.AllocateFrame().TryGetValue(out PhysFrame frame))
            return AddressSpaceError.OutOfFrames;
        ulong offset = _kernel.PhysicalMemoryOffset;
        PageTableEntry* fresh = (PageTableEntry*)(offset + frame.StartAddress.Value);
        PageTableEntry* kernel = (PageTableEntry*)_kernel.TableAt(_kernel.Level4Frame.StartAddress);
        for (int i = 0; i < KernelHalfFirstEntry; i++)
            fresh[i] = default;
        for (int i = KernelHalfFirstEntry; i < PageTable.EntryCount; i++)
            fresh[i] = kernel[i];
        ushort pcid = _pcids?.Take() ?? PcidPool.Untagged;
        LiveCount++;
        return new AddressSpace(this, new OffsetPageTable(frame, offset, Hardware), pcid);
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

    internal void Retire(AddressSpace space)
    {
        _pcids?.Return(space.Pcid);
        LiveCount--;
    }
}
