using System;
using System.Collections.Generic;
using CsCheck;
using StrixOS.Memory;
using Xunit;

namespace StrixOS.Tests.Memory;

/// <summary>
/// Random sequences of mapper operations checked step by step against <see cref="PagingModel"/>: every
/// outcome as predicted, translate agreeing for every mapped page and a sample of unmapped addresses, every
/// table frame reachable exactly once and owned by the allocator, failed operations changing no byte, and
/// at the end, after unmapping everything and CleanUp, every table frame back in the allocator.
/// </summary>
public class PagingPropertyTests
{
    public enum OpKind { Map, Unmap, UpdateFlags, MapRange, UnmapRange, CleanUp }

    /// <summary>One random operation of the property test.</summary>
    /// <param name="Kind">Which mapper operation.</param>
    /// <param name="Virtual">The page or range start it acts on.</param>
    /// <param name="Size">Page size for page operations.</param>
    /// <param name="Physical">The frame or range start mapped to.</param>
    /// <param name="Length">Bytes, for range operations.</param>
    /// <param name="Flags">Leaf flags for map and update.</param>
    /// <param name="AllowHuge">Range operations may use 2 MiB and 1 GiB pages.</param>
    /// <param name="Target">For page operations: when positive, aim at the mapped page with this index (mod the
    /// count, in address order) instead of <paramref name="Virtual"/>, so operations meet existing mappings.</param>
    public sealed record Op(OpKind Kind, ulong Virtual, PageSize Size, ulong Physical, ulong Length, PageTableFlags Flags, bool AllowHuge, int Target = 0)
    {
        public override string ToString() => Kind switch
        {
            OpKind.Map => $"Map({Size}, 0x{Virtual:X} -> 0x{Physical:X}, {Flags})",
            OpKind.Unmap => $"Unmap({Size}, 0x{Virtual:X})",
            OpKind.UpdateFlags => $"UpdateFlags({Size}, 0x{Virtual:X}, {Flags})",
            OpKind.MapRange => $"MapRange(0x{Virtual:X} -> 0x{Physical:X}, 0x{Length:X}, huge: {AllowHuge}, {Flags})",
            OpKind.UnmapRange => $"UnmapRange(0x{Virtual:X}, 0x{Length:X})",
            _ => "CleanUp",
        };
    }

    public sealed record Scenario(int PoolFrames, Op[] Ops, ulong[] Probes)
    {
        public override string ToString() => $"pool {PoolFrames}: " + string.Join("; ", (object[])Ops);
    }

    private const ulong KiB4 = 4096;
    private const ulong MiB2 = 2UL << 20;
    private const ulong GiB1 = 1UL << 30;

    // A small universe of indexes, so operations collide often; P4 255 and 511 reach the ends of both halves.
    private static readonly Gen<ulong> Address = Gen.Select(
        Gen.OneOf<ulong>(0, 1, 255, 256, 511), Gen.OneOf<ulong>(0, 1, 511), Gen.OneOf<ulong>(0, 1, 511), Gen.OneOf<ulong>(0, 1, 2, 510, 511),
        (p4, p3, p2, p1) => VirtAddr.SignExtend((p4 << 39) | (p3 << 30) | (p2 << 21) | (p1 << 12)));

    private static readonly Gen<PageSize> Size = Gen.Frequency(
        (3, Gen.Const(PageSize.Size4KiB)), (2, Gen.Const(PageSize.Size2MiB)), (1, Gen.Const(PageSize.Size1GiB)));

    private static readonly Gen<PageTableFlags> Flags = Gen.Select(Gen.Int[0, 127], bits =>
    {
        PageTableFlags flags = PageTableFlags.Present;
        if ((bits & 1) != 0) flags |= PageTableFlags.Writable;
        if ((bits & 2) != 0) flags |= PageTableFlags.UserAccessible;
        if ((bits & 4) != 0) flags |= PageTableFlags.NoExecute;
        if ((bits & 8) != 0) flags |= PageTableFlags.Global;
        if ((bits & 16) != 0) flags |= PageTableFlags.Bit9;
        if ((bits & 32) != 0) flags |= PageTableFlags.Bit52;
        if ((bits & 64) != 0) flags |= PageTableFlags.WriteThrough;
        return flags;
    });

    /// <summary>Data frames lie above the simulated memory; 1 GiB slots keep every page size possible.</summary>
    private static readonly Gen<ulong> FrameSlot = Gen.Int[0, 3].Select(slot => PagingFixture.DataBase + (ulong)slot * GiB1);

    private static readonly Gen<Op> PageOp = Gen.Select(Gen.Int[0, 5], Address, Size, FrameSlot, Flags, Gen.Int[-60, 40],
        (kind, address, size, frame, flags, target) =>
        {
            ulong start = address & ~(size.Bytes() - 1);
            OpKind opKind = kind < 3 ? OpKind.Map : kind == 3 ? OpKind.Unmap : OpKind.UpdateFlags;
            return new Op(opKind, start, size, frame, size.Bytes(), flags, false, target);
        });

    private static readonly Gen<ulong> RangePages = Gen.Frequency(
        (6, Gen.ULong[1, 16]), (2, Gen.ULong[500, 800]), (1, Gen.ULong[1, 3].Select(n => n * 512)));

    private static readonly Gen<Op> MapRangeOp = Gen.Select(Address, RangePages, FrameSlot, Gen.Int[0, 3], Flags, Gen.Bool,
        (address, pages, slot, shift, flags, huge) =>
        {
            // Same offset in its gigabyte as the virtual address, so huge pages fit; or shifted by 4 KiB so they do not.
            ulong physical = slot + (address & (GiB1 - 1)) + (shift == 0 ? KiB4 : 0);
            return new Op(OpKind.MapRange, address, PageSize.Size4KiB, physical, pages * KiB4, flags, huge);
        });

    private static readonly Gen<Op> UnmapRangeOp = Gen.Select(Address, Gen.Frequency((4, RangePages), (1, Gen.Const(GiB1 / KiB4))),
        (address, pages) => new Op(OpKind.UnmapRange, address, PageSize.Size4KiB, 0, pages * KiB4, 0, false));

    private static readonly Gen<Op> AnyOp = Gen.Frequency(
        (8, PageOp), (3, MapRangeOp), (2, UnmapRangeOp), (1, Gen.Const(new Op(OpKind.CleanUp, 0, 0, 0, 0, 0, false))));

    private static readonly Gen<Scenario> Scenarios = Gen.Select(
        Gen.Frequency((4, Gen.Const(64)), (1, Gen.Int[2, 8])),
        AnyOp.Array[1, 8],
        Address.Select(Gen.ULong[0, GiB1 - 1], (address, offset) => VirtAddr.SignExtend(address + offset)).Array[4, 4],
        (pool, ops, probes) => new Scenario(pool, ops, probes));

    [Fact]
    public void MapperAgreesWithTheModelAfterEveryStep()
        => Scenarios.Sample(Run, iter: 10_000);

    private static void Run(Scenario scenario)
    {
        using PagingFixture f = new(scenario.PoolFrames, zeroMemory: false);
        PagingModel model = new(scenario.PoolFrames);
        foreach (Op op in scenario.Ops)
        {
            Step(f, model, op);
            Check(f, model, scenario.Probes);
        }

        // Tear down: unmap both halves, free the tables, and every frame must be back.
        Assert.True(f.Mapper.UnmapRange(PagingFixture.Virt(0), VirtAddr.LowerHalfEnd).IsOk);
        Assert.True(f.Mapper.UnmapRange(PagingFixture.Virt(VirtAddr.UpperHalfStart), VirtAddr.LowerHalfEnd).IsOk);
        model.UnmapRange(0, VirtAddr.LowerHalfEnd, out _);
        model.UnmapRange(VirtAddr.UpperHalfStart, VirtAddr.LowerHalfEnd, out _);
        Assert.Equal(model.CleanUp(), f.Mapper.CleanUp(f.Allocator));
        Assert.Empty(f.Allocator.Outstanding);
        Assert.Equal(scenario.PoolFrames, f.Allocator.FreeCount);
        Assert.Empty(f.Allocator.Violations);
        Assert.True(f.Mapper.Level4Table.IsEmpty);
    }

    /// <summary>Points a targeted page operation at an existing mapping (aligned down to the operation's size).</summary>
    private static Op Resolve(PagingModel model, Op op)
    {
        bool pageOp = op.Kind is OpKind.Map or OpKind.Unmap or OpKind.UpdateFlags;
        if (!pageOp || op.Target <= 0 || model.Pages.Count == 0)
            return op;
        List<(ulong Start, PageSize Size)> pages = new(model.Pages.Keys);
        pages.Sort();
        (ulong start, PageSize size) = pages[op.Target / 2 % pages.Count];
        // Even targets hit the page itself, odd ones the page of the operation's size around it.
        if (op.Target % 2 == 1)
            size = op.Size;
        return op with { Virtual = start & ~(size.Bytes() - 1), Size = size, Length = size.Bytes(), Target = 0 };
    }

    private static void Step(PagingFixture f, PagingModel model, Op op)
    {
        op = Resolve(model, op);
        VirtAddr virt = PagingFixture.Virt(op.Virtual);
        Page page = Page.TryFromStartAddress(virt, op.Size).Value;
        PagingModel.MappedPage mappedBefore = model.Pages.GetValueOrDefault((op.Virtual, op.Size));
        RangeSummary predicted = default;
        ulong predictedFreed = 0;

        // The model first; it changes itself only when it predicts success.
        MapError? expected = op.Kind switch
        {
            OpKind.Map => model.MapTo(op.Virtual, op.Size, op.Physical, op.Flags),
            OpKind.Unmap or OpKind.UpdateFlags => model.FindPage(op.Virtual, op.Size),
            OpKind.MapRange => model.MapRange(op.Virtual, op.Physical, op.Length, op.Flags, op.AllowHuge, out predicted),
            OpKind.UnmapRange => model.UnmapRange(op.Virtual, op.Length, out predicted),
            _ => null,
        };
        if (op.Kind == OpKind.CleanUp)
            predictedFreed = model.CleanUp();
        // Snapshots cost time, so only where a failure, which must change nothing, is expected.
        Dictionary<ulong, byte[]>? before = expected is null ? null : SnapshotReachable(f);
        int freeBefore = f.Allocator.FreeCount;

        MapError? actual = null;
        switch (op.Kind)
        {
            case OpKind.Map:
                actual = ErrorOf(f.Mapper.MapTo(page, PagingFixture.Frame(op.Physical, op.Size), op.Flags, f.Allocator));
                break;
            case OpKind.Unmap:
            {
                Result<PhysFrame, MapError> result = f.Mapper.Unmap(page);
                actual = ErrorOf(result);
                if (expected is null && result.IsOk)
                {
                    Assert.Equal(PagingFixture.Frame(mappedBefore.Frame, op.Size), result.Value);
                    model.Pages.Remove((op.Virtual, op.Size));
                }
                break;
            }
            case OpKind.UpdateFlags:
            {
                Result<PageTableFlags, MapError> result = f.Mapper.UpdateFlags(page, op.Flags);
                actual = ErrorOf(result);
                if (expected is null && result.IsOk)
                {
                    Assert.Equal(LeafFlags(mappedBefore.Flags, op.Size), result.Value);
                    model.Pages[(op.Virtual, op.Size)] = mappedBefore with { Flags = op.Flags };
                }
                break;
            }
            case OpKind.MapRange:
            {
                Result<RangeSummary, MapError> result = f.Mapper.MapRange(virt, PagingFixture.Phys(op.Physical), op.Length, op.Flags, f.Allocator, op.AllowHuge);
                actual = ErrorOf(result);
                if (expected is null && result.IsOk)
                    Assert.Equal(predicted, result.Value);
                break;
            }
            case OpKind.UnmapRange:
            {
                Result<RangeSummary, MapError> result = f.Mapper.UnmapRange(virt, op.Length);
                actual = ErrorOf(result);
                if (expected is null && result.IsOk)
                    Assert.Equal(predicted, result.Value);
                break;
            }
            default:
                Assert.Equal(predictedFreed, f.Mapper.CleanUp(f.Allocator));
                break;
        }

        Assert.True(Describe(expected) == Describe(actual), $"{op}: expected {Describe(expected)}, got {Describe(actual)}");
        if (before is not null)
        {
            // A failed operation changed nothing and took no frame.
            Assert.Equal(freeBefore, f.Allocator.FreeCount);
            Dictionary<ulong, byte[]> after = SnapshotReachable(f);
            Assert.True(new HashSet<ulong>(before.Keys).SetEquals(after.Keys), $"the set of tables changed by a failed {op}");
            foreach (KeyValuePair<ulong, byte[]> table in before)
                Assert.True(table.Value.AsSpan().SequenceEqual(after[table.Key]), $"table 0x{table.Key:X} changed by a failed {op}");
        }
    }

    private static void Check(PagingFixture f, PagingModel model, ulong[] probes)
    {
        List<ulong> unmappedCandidates = new(probes);
        foreach (KeyValuePair<(ulong Start, PageSize Size), PagingModel.MappedPage> entry in model.Pages)
        {
            (ulong start, PageSize size) = entry.Key;
            ulong bytes = size.Bytes();
            // One probe per page, at its start, middle or last byte in turn (three per page cost too much time).
            ulong offset = (start >> 12) % 3 switch { 0 => 0, 1 => bytes / 2 + 0x123, _ => bytes - 1 };
            Translation translation = f.Mapper.Translate(PagingFixture.Virt(start + offset)).Value;
            Assert.Equal(PagingFixture.Frame(entry.Value.Frame, size), translation.Frame);
            Assert.Equal(offset, translation.Offset);
            Assert.Equal(LeafFlags(entry.Value.Flags, size), translation.Flags);
            unmappedCandidates.Add(start - 1);
            unmappedCandidates.Add(start + bytes);
        }
        foreach (ulong address in unmappedCandidates)
        {
            if (!VirtAddr.IsCanonical(address) || model.TryFind(address, out _, out _, out _))
                continue;
            Assert.Equal(TranslateError.NotMapped, f.Mapper.Translate(PagingFixture.Virt(address)).Error);
        }

        List<ulong> duplicates = new();
        HashSet<ulong> reachable = f.ReachableTables(duplicates);
        Assert.Empty(duplicates);
        Assert.Equal(model.Tables.Count, reachable.Count);
        Assert.True(reachable.SetEquals(f.Allocator.Outstanding), "reachable tables are exactly the frames taken from the allocator");
        Assert.Empty(f.Allocator.Violations);
    }

    private static PageTableFlags LeafFlags(PageTableFlags flags, PageSize size)
        => flags | PageTableFlags.Present | (size == PageSize.Size4KiB ? 0 : PageTableFlags.HugePage);

    private static MapError? ErrorOf<T>(Result<T, MapError> result) => result.IsOk ? null : result.Error;

    private static string Describe(MapError? error) => error is null ? "ok" : error.Value.ToString();

    private static unsafe Dictionary<ulong, byte[]> SnapshotReachable(PagingFixture f)
    {
        Dictionary<ulong, byte[]> tables = new() { [PagingFixture.Level4Address] = f.Memory.Snapshot(f.Level4Frame.StartAddress, 4096) };
        foreach (ulong table in f.ReachableTables())
            tables[table] = f.Memory.Snapshot(PagingFixture.Phys(table), 4096);
        return tables;
    }
}
