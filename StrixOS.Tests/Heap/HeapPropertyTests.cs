using System;
using System.Collections.Generic;
using CsCheck;
using StrixOS.Memory;
using StrixOS.Memory.Heap;
using Xunit;

namespace StrixOS.Tests.Heap;

/// <summary>
/// Random allocate / free / bad-free sequences against a model (the live blocks and what was written into
/// them), with a budget that sometimes runs out. After every step: live blocks are disjoint, mapped, 16-byte
/// aligned and hold exactly what was written; enumeration yields exactly the live blocks; the counters add up.
/// A refused operation changes nothing, and out of memory happens only when the backing refused to grow.
/// </summary>
public class HeapPropertyTests
{
    public enum OpKind { AllocateSmall, AllocateLarge, Free, FreeAgain, FreeInterior, FreeForeign }

    public sealed record Op(OpKind Kind, int Size, int Pick)
    {
        public override string ToString() => $"{Kind}({Size}, #{Pick})";
    }

    public sealed record Scenario(int BudgetPages, Op[] Ops)
    {
        public override string ToString() => $"budget {BudgetPages} pages: {string.Join("; ", (object[])Ops)}";
    }

    private static readonly Gen<Op> Operation = Gen.Select(
        Gen.Frequency(
            (10, Gen.Const(OpKind.AllocateSmall)), (2, Gen.Const(OpKind.AllocateLarge)), (8, Gen.Const(OpKind.Free)),
            (1, Gen.Const(OpKind.FreeAgain)), (1, Gen.Const(OpKind.FreeInterior)), (1, Gen.Const(OpKind.FreeForeign))),
        Gen.Int[0, 2048], Gen.Int[0, 100_000],
        (kind, size, pick) => new Op(kind, size, pick));

    private static readonly Gen<Scenario> Scenarios = Gen.Select(
        Gen.Frequency((3, Gen.Const(100_000)), (1, Gen.Int[17, 80])), Operation.Array[1, 150],
        (budget, ops) => new Scenario(budget, ops));

    [Fact]
    public void RandomSequences_AgreeWithTheModel()
        => Scenarios.Sample(Run, iter: 1000);

    private sealed class Live
    {
        public ulong Size;
        public ulong Requested;
        public byte Stamp;
    }

    private static bool Run(Scenario scenario)
    {
        using HostHeapBacking backing = new(16 * 1024 * 1024, (ulong)scenario.BudgetPages * 4096);
        HeapAllocator heap = backing.CreateHeap();
        SortedDictionary<ulong, Live> live = new();
        List<ulong> freed = new();
        byte stamp = 0;
        foreach (Op op in scenario.Ops)
        {
            switch (op.Kind)
            {
                case OpKind.AllocateSmall:
                case OpKind.AllocateLarge:
                {
                    ulong size = op.Kind == OpKind.AllocateSmall ? (ulong)op.Size : 2049 + (ulong)op.Pick % 40_000;
                    int refused = backing.RefusedGrows;
                    ulong inUse = heap.BytesInUse;
                    Result<ulong, HeapError> result = heap.Allocate(size);
                    if (!result.TryGetValue(out ulong address))
                    {
                        Assert.Equal(HeapError.OutOfMemory, result.Error);
                        Assert.True(backing.RefusedGrows > refused, "out of memory without the backing refusing");
                        Assert.Equal(inUse, heap.BytesInUse);
                        break;
                    }
                    Assert.False(live.ContainsKey(address));
                    ulong blockSize = heap.SizeOf(address).Value;
                    Assert.True(backing.Bytes(address, blockSize).IndexOfAnyExcept((byte)0) < 0, "not zeroed");
                    stamp++;
                    backing.Bytes(address, Math.Max(size, 1)).Fill(stamp);
                    live[address] = new Live { Size = blockSize, Requested = Math.Max(size, 1), Stamp = stamp };
                    freed.Remove(address);
                    break;
                }
                case OpKind.Free:
                {
                    if (live.Count == 0)
                        break;
                    ulong address = Nth(live.Keys, op.Pick);
                    Assert.Equal(live[address].Size, heap.Free(address).Value);
                    live.Remove(address);
                    freed.Add(address);
                    break;
                }
                case OpKind.FreeAgain:
                {
                    if (freed.Count == 0)
                        break;
                    ulong address = freed[op.Pick % freed.Count];
                    HeapError error = heap.Free(address).Error;
                    // A freed slot is DoubleFree; a freed large block's page may now be inside another block.
                    Assert.True(error == HeapError.DoubleFree || error == HeapError.NotBlockStart, error.ToString());
                    break;
                }
                case OpKind.FreeInterior:
                {
                    if (live.Count == 0)
                        break;
                    ulong address = Nth(live.Keys, op.Pick);
                    ulong inside = address + 8 + (ulong)op.Size % (live[address].Size - 8) / 8 * 8;
                    Assert.NotEqual(HeapError.NotInHeap, heap.Free(inside).Error);
                    break;
                }
                case OpKind.FreeForeign:
                {
                    ulong foreign = op.Pick % 2 == 0 ? backing.Start + (ulong)op.Pick % 4096 : 0x10_0000 + (ulong)op.Pick;
                    Assert.Equal(HeapError.NotInHeap, heap.Free(foreign).Error);
                    break;
                }
            }
            Check(heap, backing, live);
        }

        foreach (ulong address in new List<ulong>(live.Keys))
            Assert.True(heap.Free(address).IsOk);
        Assert.Equal(0UL, heap.BytesInUse);
        Assert.Equal(0UL, heap.LiveBlocks);
        Assert.Empty(backing.Violations);
        return true;
    }

    private static void Check(HeapAllocator heap, HostHeapBacking backing, SortedDictionary<ulong, Live> live)
    {
        ulong previousEnd = 0;
        ulong inUse = 0;
        foreach ((ulong address, Live block) in live)
        {
            Assert.Equal(0UL, address % 16);
            Assert.True(address >= previousEnd, $"block 0x{address:X} overlaps the one before");
            Assert.True(backing.IsMapped(address, block.Size));
            Assert.True(backing.Bytes(address, block.Requested).IndexOfAnyExcept(block.Stamp) < 0, $"block 0x{address:X} was overwritten");
            previousEnd = address + block.Size;
            inUse += block.Size;
        }
        Assert.Equal(inUse, heap.BytesInUse);
        Assert.Equal((ulong)live.Count, heap.LiveBlocks);
        Assert.True(heap.PeakBytesInUse >= heap.BytesInUse);
        Assert.Equal(backing.MappedBytes, heap.BytesMapped);

        using SortedDictionary<ulong, Live>.Enumerator expected = live.GetEnumerator();
        foreach (HeapBlock block in heap.AllocatedBlocks)
        {
            Assert.True(expected.MoveNext(), $"enumeration found extra block {block}");
            Assert.Equal(expected.Current.Key, block.Address);
            Assert.Equal(expected.Current.Value.Size, block.Size);
        }
        Assert.False(expected.MoveNext(), "enumeration missed a live block");
    }

    private static ulong Nth(IEnumerable<ulong> keys, int n)
    {
        List<ulong> list = new(keys);
        return list[n % list.Count];
    }
}
