using System;
using System.Collections.Generic;
using CsCheck;
using StrixOS.Memory;
using Xunit;
using static StrixOS.Tests.AddressSpaces.AddressSpaceFixture;

namespace StrixOS.Tests.AddressSpaces;

/// <summary>
/// Random create / map / map-frame / unmap / activate / dispose sequences over several address spaces, plus
/// kernel mappings made (read-only or writable, so level-4 entries are created on demand and later widened)
/// and removed along the way, checked against a model after every step: each space translates exactly its own
/// pages (isolation), every kernel mapping is visible in every live space, the kernel half of every level-4
/// table equals the kernel's, CR3 holds what the PCID rules say, and no frame is owned twice. At the end every
/// space is disposed and the allocator's free count is back where it started.
/// </summary>
public unsafe class AddressSpacePropertyTests
{
    public enum OpKind { Create, Dispose, Map, MapBorrowed, Unmap, Activate, ActivateKernel, KernelMap, KernelUnmap, ReleaseTables }

    public sealed record Op(OpKind Kind, int Space, int Page, int Flags)
    {
        public override string ToString() => $"{Kind}(space #{Space}, page #{Page}, flags {Flags})";
    }

    public sealed record Scenario(bool Pcid, Op[] Ops)
    {
        public override string ToString() => $"pcid {Pcid}: {string.Join("; ", (object[])Ops)}";
    }

    // Lower-half pages that share and split tables at every level, up to the last user page.
    private static readonly ulong[] UserPages = BuildUserPages();
    private static readonly ulong[] KernelPages = { LateKernelBase, LateKernelBase + Frame, 0xFFFF_C000_0020_0000, 0xFFFF_FF00_0000_0000 };
    private const int BorrowedFrames = 4;

    private static ulong[] BuildUserPages()
    {
        List<ulong> pages = new();
        foreach (ulong p4 in new ulong[] { 0, 1, 255 })
            foreach (ulong p3 in new ulong[] { 0, 511 })
                foreach (ulong p1 in new ulong[] { 0, 1, 511 })
                    pages.Add((p4 << 39) | (p3 << 30) | (p1 << 12));
        return pages.ToArray();
    }

    private static readonly Gen<Op> Operation = Gen.Select(
        Gen.Frequency(
            (3, Gen.Const(OpKind.Create)), (2, Gen.Const(OpKind.Dispose)), (8, Gen.Const(OpKind.Map)),
            (2, Gen.Const(OpKind.MapBorrowed)), (4, Gen.Const(OpKind.Unmap)), (3, Gen.Const(OpKind.Activate)),
            (1, Gen.Const(OpKind.ActivateKernel)), (2, Gen.Const(OpKind.KernelMap)), (1, Gen.Const(OpKind.KernelUnmap)),
            (1, Gen.Const(OpKind.ReleaseTables))),
        Gen.Int[0, 7], Gen.Int[0, 99], Gen.Int[0, 3],
        (kind, space, page, flags) => new Op(kind, space, page, flags));

    private static readonly Gen<Scenario> Scenarios = Gen.Select(Gen.Bool, Operation.Array[1, 60], (pcid, ops) => new Scenario(pcid, ops));

    [Fact]
    public void RandomSequences_AgreeWithTheModel()
        => Scenarios.Sample(Run, iter: 400, threads: 1);

    private sealed class SpaceModel
    {
        public SpaceModel(AddressSpace space) => Space = space;
        public AddressSpace Space { get; }
        public Dictionary<ulong, (ulong Frame, bool Owned, PageTableFlags Flags)> Pages { get; } = new();
        /// <summary>Its PCID's TLB entries may be out of date: the next activation must flush.</summary>
        public bool Stale { get; set; } = true;
    }

    private sealed class Model
    {
        public readonly List<SpaceModel> Live = new();
        public readonly List<AddressSpace> Dead = new();
        public readonly Dictionary<ulong, ulong> Kernel = new();
        public readonly List<PhysFrame> Borrowed = new();
        public SpaceModel? Active;
        public ulong KernelTableFrames;
    }

    private static bool Run(Scenario scenario)
    {
        using AddressSpaceFixture f = new(scenario.Pcid, memoryBytes: 8 * 1024 * 1024);
        Model model = new();
        for (int i = 0; i < BorrowedFrames; i++)
            model.Borrowed.Add(f.Frames.AllocateFrame().Value);
        ulong startFree = f.Frames.FreeFrames;

        foreach (Op op in scenario.Ops)
        {
            Step(f, model, op);
            Check(f, model);
        }

        f.Manager.ActivateKernel();
        foreach (SpaceModel space in model.Live)
            Assert.True(space.Space.Dispose().IsOk);
        Assert.Equal(0, f.Manager.LiveCount);
        Assert.Equal(startFree - model.KernelTableFrames, f.Frames.FreeFrames);
        Assert.Equal(0UL, f.Frames.RejectedFrees);
        foreach (PhysFrame frame in model.Borrowed)
            Assert.False(f.Frames.IsFree(frame)); // borrowed frames stay with their owner
        return true;
    }

    private static PageTableFlags FlagsOf(int bits)
        => (bits & 1) != 0 ? PageTableFlags.Writable | PageTableFlags.NoExecute : (bits & 2) != 0 ? PageTableFlags.Writable : PageTableFlags.None;

    private static void Step(AddressSpaceFixture f, Model model, Op op)
    {
        SpaceModel? target = model.Live.Count == 0 ? null : model.Live[op.Space % model.Live.Count];
        ulong page = UserPages[op.Page % UserPages.Length];
        switch (op.Kind)
        {
            case OpKind.Create:
            {
                if (model.Live.Count >= 6)
                    break;
                model.Live.Add(new SpaceModel(f.Manager.Create().Value));
                break;
            }
            case OpKind.Dispose:
            {
                if (target == null)
                    break;
                Result<ulong, AddressSpaceError> result = target.Space.Dispose();
                if (target == model.Active)
                {
                    Assert.Equal(AddressSpaceError.StillActive, result.Error);
                    break;
                }
                Assert.True(result.IsOk);
                model.Live.Remove(target);
                model.Dead.Add(target.Space);
                break;
            }
            case OpKind.Map:
            {
                if (target == null)
                    break;
                PageTableFlags flags = FlagsOf(op.Flags);
                Result<PhysFrame, AddressSpaceError> result = target.Space.Map(PageAt(page), flags);
                if (target.Pages.ContainsKey(page))
                {
                    Assert.Equal(AddressSpaceError.AlreadyMapped, result.Error);
                    break;
                }
                PhysFrame frame = result.Value;
                target.Pages[page] = (frame.StartAddress.Value, true, flags | PageTableFlags.Present | PageTableFlags.UserAccessible | AddressSpace.OwnedFrameBit);
                Touched(model, target);
                break;
            }
            case OpKind.MapBorrowed:
            {
                if (target == null)
                    break;
                PhysFrame frame = model.Borrowed[op.Flags % BorrowedFrames];
                PageTableFlags flags = FlagsOf(op.Flags);
                Result<Page, AddressSpaceError> result = target.Space.MapFrame(PageAt(page), frame, flags);
                if (target.Pages.ContainsKey(page))
                {
                    Assert.Equal(AddressSpaceError.AlreadyMapped, result.Error);
                    break;
                }
                Assert.True(result.IsOk);
                target.Pages[page] = (frame.StartAddress.Value, false, flags | PageTableFlags.Present | PageTableFlags.UserAccessible);
                Touched(model, target);
                break;
            }
            case OpKind.Unmap:
            {
                if (target == null)
                    break;
                ulong free = f.Frames.FreeFrames;
                Result<PhysFrame, AddressSpaceError> result = target.Space.Unmap(PageAt(page));
                if (!target.Pages.Remove(page, out var mapped))
                {
                    Assert.Equal(AddressSpaceError.NotMapped, result.Error);
                    break;
                }
                Assert.Equal(mapped.Frame, result.Value.StartAddress.Value);
                Assert.Equal(mapped.Owned ? free + 1 : free, f.Frames.FreeFrames);
                Touched(model, target);
                break;
            }
            case OpKind.Activate:
            {
                if (target == null)
                    break;
                ulong cr3 = target.Space.Activate().Value;
                Assert.Equal(cr3, f.Hardware.Cr3);
                Assert.Equal(target.Space.Level4Frame.StartAddress.Value, cr3 & PageTableEntry.AddressMask);
                if (f.Manager.PcidEnabled)
                {
                    Assert.Equal((ulong)target.Space.Pcid, cr3 & 0xFFF);
                    bool keep = !target.Stale && target.Space.Pcid != 0;
                    Assert.Equal(keep, (cr3 & AddressSpaceManager.Cr3NoFlush) != 0);
                }
                else
                {
                    Assert.Equal(target.Space.Level4Frame.StartAddress.Value, cr3);
                }
                target.Stale = false;
                model.Active = target;
                break;
            }
            case OpKind.ActivateKernel:
            {
                f.Manager.ActivateKernel();
                Assert.Equal(f.Level4Frame.StartAddress.Value, f.Hardware.Cr3);
                model.Active = null;
                break;
            }
            case OpKind.KernelMap:
            {
                ulong virt = KernelPages[op.Page % KernelPages.Length];
                if (model.Kernel.ContainsKey(virt))
                    break;
                ulong phys = 0x3000 + (ulong)op.Flags * Frame;
                ulong free = f.Frames.FreeFrames;
                PageTableIndex slot = Virt(virt).P4Index;
                PageTableEntry before = f.KernelLevel4[slot];
                // Read-only, then writable in the same slot, widens the parents: the level-4 entry changes.
                Map(f.KernelTable, virt, phys, f.Frames, (op.Flags & 1) != 0 ? PageTableFlags.Writable : PageTableFlags.NoExecute);
                model.KernelTableFrames += free - f.Frames.FreeFrames; // the kernel's own tables, never returned
                model.Kernel[virt] = phys;
                // A changed (not new) kernel-half level-4 entry may be cached with its old rights: all flush.
                if (before.IsPresent && f.KernelLevel4[slot].Raw != before.Raw)
                {
                    foreach (SpaceModel space in model.Live)
                        space.Stale = true;
                }
                break;
            }
            case OpKind.KernelUnmap:
            {
                ulong virt = KernelPages[op.Page % KernelPages.Length];
                if (!model.Kernel.Remove(virt))
                    break;
                Assert.True(f.KernelTable.Unmap(PageAt(virt)).IsOk);
                f.Manager.KernelMappingsChanged();
                foreach (SpaceModel space in model.Live)
                    space.Stale = true;
                break;
            }
            case OpKind.ReleaseTables:
            {
                if (target == null)
                    break;
                Assert.True(target.Space.ReleaseEmptyTables().IsOk);
                Touched(model, target);
                break;
            }
        }
    }

    /// <summary>A change to an inactive space leaves its PCID's TLB entries stale.</summary>
    private static void Touched(Model model, SpaceModel space)
    {
        if (model.Active != space)
            space.Stale = true;
    }

    private static void Check(AddressSpaceFixture f, Model model)
    {
        HashSet<ulong> ownedFrames = new();
        HashSet<ulong> borrowed = new();
        foreach (PhysFrame frame in model.Borrowed)
            borrowed.Add(frame.StartAddress.Value);
        foreach (SpaceModel space in model.Live)
        {
            Assert.False(space.Space.IsDisposed);
            Assert.Equal(model.Active == space, space.Space.IsActive);
            // Exactly its own user pages, with the model's frames and flags.
            foreach (ulong page in UserPages)
            {
                Result<Translation, AddressSpaceError> seen = space.Space.Translate(Virt(page + 8));
                if (space.Pages.TryGetValue(page, out var mapped))
                {
                    Translation translation = seen.Value;
                    Assert.Equal(mapped.Frame, translation.Frame.StartAddress.Value);
                    Assert.Equal(mapped.Flags, translation.Flags);
                    if (mapped.Owned)
                    {
                        Assert.True(ownedFrames.Add(mapped.Frame), $"frame 0x{mapped.Frame:X} owned twice");
                        Assert.DoesNotContain(mapped.Frame, borrowed);
                        Assert.False(f.Frames.IsFree(translation.Frame));
                    }
                }
                else
                {
                    Assert.Equal(AddressSpaceError.NotMapped, seen.Error);
                }
            }
            Assert.Equal((ulong)CountOwned(space), space.Space.OwnedFrames);

            // The kernel half is the kernel's, entry for entry, and every kernel mapping is visible.
            for (int i = 256; i < 512; i++)
            {
                PageTableIndex index = PageTableIndex.TryNew(i).Value;
                Assert.Equal(f.KernelLevel4[index], f.Level4Of(space.Space)[index]);
            }
            OffsetPageTable mapper = f.MapperOf(space.Space);
            foreach ((ulong virt, ulong phys) in model.Kernel)
                Assert.Equal(phys + 0x10, mapper.TranslateAddr(Virt(virt + 0x10)).Value.Value);
            foreach (ulong virt in KernelPages)
            {
                if (!model.Kernel.ContainsKey(virt))
                    Assert.True(mapper.Translate(Virt(virt)).IsError);
            }
            // User-half parents are user accessible.
            for (int i = 0; i < 256; i++)
            {
                PageTableEntry entry = f.Level4Of(space.Space)[PageTableIndex.TryNew(i).Value];
                if (entry.IsPresent)
                    Assert.NotEqual(PageTableFlags.None, entry.Flags & PageTableFlags.UserAccessible);
            }
        }
        foreach (AddressSpace dead in model.Dead)
            Assert.Equal(AddressSpaceError.Disposed, dead.Translate(Virt(UserPages[0])).Error);
        Assert.Equal(model.Live.Count, f.Manager.LiveCount);
    }

    private static int CountOwned(SpaceModel space)
    {
        int count = 0;
        foreach (var mapped in space.Pages.Values)
        {
            if (mapped.Owned)
                count++;
        }
        return count;
    }
}
