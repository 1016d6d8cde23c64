using System;
using System.Collections.Generic;
using CsCheck;
using StrixOS.Memory;
using StrixOS.Memory.PhysicalMemory;
using Xunit;
using static StrixOS.Tests.PhysicalMemory.BuddyFixture;

namespace StrixOS.Tests.PhysicalMemory;

/// <summary>
/// Random memory maps, random boot prefixes and random operation sequences against a model (the set of free
/// frames). A buddy allocator that merges eagerly succeeds with a 2^k-aligned request exactly when some
/// aligned 2^k block is wholly free, so the model predicts every success and failure, not only the counts.
/// </summary>
public class BuddyFrameAllocatorPropertyTests
{
    public enum OpKind { Allocate, AllocateHuge, AllocateContiguous, FreeBlock, FreeOneFrame, FreeBootFrame, DoubleFree, FreeForeign }

    public sealed record Op(OpKind Kind, int Count, int AlignShift, int Pick)
    {
        public override string ToString() => $"{Kind}({Count}, 2^{AlignShift}, #{Pick})";
    }

    public sealed record Scenario(MemoryRegion[] Firmware, int BootFrames, Op[] Ops)
    {
        public override string ToString()
        {
            List<string> regions = new();
            foreach (MemoryRegion region in Firmware)
                regions.Add($"0x{region.Start:X}-0x{region.End:X} {region.Type}");
            return $"map [{string.Join(", ", regions)}], boot {BootFrames}: {string.Join("; ", (object[])Ops)}";
        }
    }

    // Up to 8 MiB of physical space with holes, so blocks meet region ends and 2 MiB blocks sometimes fit.
    private static readonly Gen<MemoryRegion> Region = Gen.Select(
        Gen.ULong[0, 2047], Gen.ULong[1, 700], Gen.Frequency((5, Gen.Const(MemoryRegionType.Usable)), (1, Gen.Const(MemoryRegionType.Reserved))),
        (startFrame, frames, type) => new MemoryRegion(startFrame * Frame, Math.Min(2048, startFrame + frames) * Frame, type));

    private static readonly Gen<Op> Operation = Gen.Select(
        Gen.Frequency(
            (8, Gen.Const(OpKind.Allocate)), (1, Gen.Const(OpKind.AllocateHuge)), (4, Gen.Const(OpKind.AllocateContiguous)),
            (6, Gen.Const(OpKind.FreeBlock)), (2, Gen.Const(OpKind.FreeOneFrame)), (1, Gen.Const(OpKind.FreeBootFrame)),
            (1, Gen.Const(OpKind.DoubleFree)), (1, Gen.Const(OpKind.FreeForeign))),
        Gen.Int[1, 40], Gen.Int[12, 17], Gen.Int[0, 1000],
        (kind, count, align, pick) => new Op(kind, count, align, pick));

    private static readonly Gen<Scenario> Scenarios = Gen.Select(
        Region.Array[1, 6], Gen.Int[0, 300], Operation.Array[1, 80],
        (firmware, boot, ops) => new Scenario(firmware, boot, ops));

    [Fact]
    public void RandomSequences_AgreeWithTheModel()
        => Scenarios.Sample(Run, iter: 1500);

    private sealed class Model
    {
        public readonly HashSet<ulong> Usable = new();
        public readonly HashSet<ulong> Free = new();
        public readonly List<(ulong Start, ulong Count)> Owned = new();
        public readonly List<ulong> BootOwned = new();
        public readonly List<(ulong Start, ulong End)> Ranges = new();

        /// <summary>Is there a 2^order-frame block aligned to its size, wholly free?</summary>
        public bool HasFreeAlignedBlock(int order)
        {
            ulong size = (1UL << order) * Frame;
            foreach ((ulong start, ulong end) in Ranges)
            {
                for (ulong block = (start + size - 1) / size * size; block + size <= end; block += size)
                {
                    bool allFree = true;
                    for (ulong frame = block; frame < block + size && allFree; frame += Frame)
                        allFree = Free.Contains(frame);
                    if (allFree)
                        return true;
                }
            }
            return false;
        }

        public void Take(ulong start, ulong count)
        {
            for (ulong i = 0; i < count; i++)
                Assert.True(Free.Remove(start + i * Frame), $"frame 0x{start + i * Frame:X} handed out but not free");
            Owned.Add((start, count));
        }
    }

    private static bool Run(Scenario scenario)
    {
        if (!MemoryMapNormalizer.Normalize(scenario.Firmware, ReadOnlySpan<MemoryRegion>.Empty).TryGetValue(out MemoryMap? map))
            return true;
        ulong usableFrames = map.TotalUsableBytes / Frame;
        ulong bootFrames = Math.Min((ulong)scenario.BootFrames, usableFrames);
        using BuddyFixture f = new(map, bootFrames);
        if (f.HandOverResult.IsError)
        {
            // The only way a normalised map fails: no room for the bitmap after the cursor.
            Assert.Equal(HandOverError.NoRoomForMetadata, f.HandOverResult.Error);
            return true;
        }
        BuddyFrameAllocator a = f.Allocator;
        Model model = new();
        foreach (MemoryRegion region in map.Regions)
        {
            if (region.Type == MemoryRegionType.Usable)
                model.Ranges.Add((region.Start, region.End));
        }
        foreach (ulong frame in f.UsableFrames())
        {
            model.Usable.Add(frame);
            model.Free.Add(frame);
        }
        foreach (ulong frame in f.BootFrames)
            model.Free.Remove(frame);
        foreach (ulong frame in f.MetadataFrames())
            Assert.True(model.Free.Remove(frame), "the bitmap must lie in free Usable memory");
        model.BootOwned.AddRange(f.BootFrames);
        ulong startFree = (ulong)model.Free.Count;
        Assert.Equal(startFree, a.FreeFrames);

        foreach (Op op in scenario.Ops)
        {
            Step(a, model, op, f);
            Assert.Equal((ulong)model.Free.Count, a.FreeFrames);
            Assert.Equal(a.TotalFrames - a.FreeFrames, a.UsedFrames);
        }

        // Give everything back: the free count returns to where it started (plus the boot frames freed on the way).
        foreach ((ulong start, ulong count) in model.Owned)
            Assert.Equal(count, a.FreeContiguous(PhysFrameRange.TryNew(FrameAt(start), count).Value).Value);
        ulong bootFreed = (ulong)(f.BootFrames.Count - model.BootOwned.Count);
        Assert.Equal(startFree + bootFreed, a.FreeFrames);

        // Draining yields each free frame once and nothing else.
        HashSet<ulong> drained = new();
        while (a.AllocateFrame().TryGetValue(out PhysFrame frame))
            Assert.True(drained.Add(frame.StartAddress.Value), $"{frame} handed out twice");
        HashSet<ulong> expected = new(model.Usable);
        expected.ExceptWith(model.BootOwned);
        expected.ExceptWith(f.MetadataFrames());
        Assert.True(expected.SetEquals(drained), "drained frames differ from the free set");
        return true;
    }

    private static void Step(BuddyFrameAllocator a, Model model, Op op, BuddyFixture f)
    {
        switch (op.Kind)
        {
            case OpKind.Allocate:
            {
                Result<PhysFrame, AllocationError> result = a.AllocateFrame();
                Assert.Equal(model.Free.Count > 0, result.IsOk);
                if (result.TryGetValue(out PhysFrame frame))
                    model.Take(frame.StartAddress.Value, 1);
                break;
            }
            case OpKind.AllocateHuge:
            {
                Result<PhysFrame, AllocationError> result = a.AllocateFrame(PageSize.Size2MiB);
                Assert.Equal(model.HasFreeAlignedBlock(BuddyFrameAllocator.Order2MiB), result.IsOk);
                if (result.TryGetValue(out PhysFrame frame))
                {
                    Assert.Equal(0UL, frame.StartAddress.Value % PageSizeExtensions.Bytes2MiB);
                    model.Take(frame.StartAddress.Value, 512);
                }
                break;
            }
            case OpKind.AllocateContiguous:
            {
                ulong count = (ulong)op.Count;
                ulong alignment = 1UL << op.AlignShift;
                int order = Math.Max((int)Math.Ceiling(Math.Log2(count)), op.AlignShift - 12);
                Result<PhysFrameRange, ContiguousAllocationError> result = a.AllocateContiguous(count, alignment);
                Assert.Equal(model.HasFreeAlignedBlock(order), result.IsOk);
                if (result.TryGetValue(out PhysFrameRange run))
                {
                    Assert.Equal(count, run.Count);
                    Assert.Equal(0UL, run.Start.StartAddress.Value % alignment);
                    model.Take(run.Start.StartAddress.Value, count);
                }
                else
                {
                    Assert.Equal(ContiguousAllocationError.OutOfFrames, result.Error);
                }
                break;
            }
            case OpKind.FreeBlock:
            {
                if (model.Owned.Count == 0)
                    break;
                int index = op.Pick % model.Owned.Count;
                (ulong start, ulong count) = model.Owned[index];
                model.Owned.RemoveAt(index);
                Assert.Equal(count, a.FreeContiguous(PhysFrameRange.TryNew(FrameAt(start), count).Value).Value);
                for (ulong i = 0; i < count; i++)
                    model.Free.Add(start + i * Frame);
                break;
            }
            case OpKind.FreeOneFrame:
            {
                // The middle frame of an owned run goes back alone; the run splits in two.
                if (model.Owned.Count == 0)
                    break;
                int index = op.Pick % model.Owned.Count;
                (ulong start, ulong count) = model.Owned[index];
                ulong middle = (ulong)op.Pick % count;
                model.Owned.RemoveAt(index);
                Assert.Equal(1UL, a.Free(FrameAt(start + middle * Frame)).Value);
                model.Free.Add(start + middle * Frame);
                if (middle > 0)
                    model.Owned.Add((start, middle));
                if (middle + 1 < count)
                    model.Owned.Add((start + (middle + 1) * Frame, count - middle - 1));
                break;
            }
            case OpKind.FreeBootFrame:
            {
                if (model.BootOwned.Count == 0)
                    break;
                int index = op.Pick % model.BootOwned.Count;
                ulong frame = model.BootOwned[index];
                model.BootOwned.RemoveAt(index);
                Assert.Equal(1UL, a.Free(FrameAt(frame)).Value);
                model.Free.Add(frame);
                break;
            }
            case OpKind.DoubleFree:
            {
                if (model.Free.Count == 0)
                    break;
                ulong frame = Nth(model.Free, op.Pick);
                Assert.Equal(FrameFreeError.DoubleFree, a.Free(FrameAt(frame)).Error);
                break;
            }
            case OpKind.FreeForeign:
            {
                ulong frame = (ulong)op.Pick * 3 % 2100 * Frame;
                Result<ulong, FrameFreeError> result = a.Free(FrameAt(frame));
                if (!model.Usable.Contains(frame))
                    Assert.Equal(FrameFreeError.NotUsable, result.Error);
                else if (f.MetadataFrames().Contains(frame))
                    Assert.Equal(FrameFreeError.MetadataFrame, result.Error);
                else if (model.Free.Contains(frame))
                    Assert.Equal(FrameFreeError.DoubleFree, result.Error);
                else
                    RemoveOwnedFrame(model, frame, result);
                break;
            }
        }
    }

    /// <summary>A random frame hit one the test owns: the free was legitimate, so the model follows.</summary>
    private static void RemoveOwnedFrame(Model model, ulong frame, Result<ulong, FrameFreeError> result)
    {
        Assert.Equal(1UL, result.Value);
        model.Free.Add(frame);
        if (model.BootOwned.Remove(frame))
            return;
        for (int i = 0; i < model.Owned.Count; i++)
        {
            (ulong start, ulong count) = model.Owned[i];
            if (frame < start || frame >= start + count * Frame)
                continue;
            ulong middle = (frame - start) / Frame;
            model.Owned.RemoveAt(i);
            if (middle > 0)
                model.Owned.Add((start, middle));
            if (middle + 1 < count)
                model.Owned.Add((frame + Frame, count - middle - 1));
            return;
        }
        Assert.Fail($"frame 0x{frame:X} was in use but nobody owned it");
    }

    private static ulong Nth(HashSet<ulong> set, int n)
    {
        int target = n % set.Count;
        foreach (ulong value in set)
        {
            if (target-- == 0)
                return value;
        }
        throw new InvalidOperationException("unreachable");
    }
}
