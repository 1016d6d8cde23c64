using System;
using System.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using StrixOS.Memory.Heap;
using StrixOS.Memory.PhysicalMemory;
using StrixOS.Runtime;
using StrixOS.Runtime.Collector;
using StrixOS.Testing;

namespace StrixOS.KernelTests;

/// <summary>
/// The collector frees (issue 13): memory comes back under churn, live structures survive many
/// collections intact, weak handles are cleared and dependent ones followed as .NET does, pinned objects
/// stay, a reference held only in a callee-saved register survives, finalizers run in order and may
/// resurrect, and the heap's pages go back to the frame allocator. Workloads scale with the guest's RAM
/// (docs/testing.md says how) to keep the emulated 2-core machines quick.
/// </summary>
public static unsafe class GcCollectionTests
{
    public static void Register(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("Gc");
        suite.Add(nameof(ShortLivedObjectsOfTenTimesRamAreCollected), &ShortLivedObjectsOfTenTimesRamAreCollected);
        suite.Add(nameof(ALargeLinkedStructureSurvivesManyCollections), &ALargeLinkedStructureSurvivesManyCollections);
        suite.Add(nameof(WeakReferencesAreClearedWhenTheTargetDies), &WeakReferencesAreClearedWhenTheTargetDies);
        suite.Add(nameof(ConditionalWeakTableValuesLiveExactlyAsLongAsTheirKeys), &ConditionalWeakTableValuesLiveExactlyAsLongAsTheirKeys);
        suite.Add(nameof(APinnedObjectIsNotFreed), &APinnedObjectIsNotFreed);
        suite.Add(nameof(AReferenceInACalleeSavedRegisterSurvivesACollectingCall), &AReferenceInACalleeSavedRegisterSurvivesACollectingCall);
        suite.Add(nameof(AnInteriorPointerKeepsItsArrayAlive), &AnInteriorPointerKeepsItsArrayAlive);
        suite.Add(nameof(FinalizersRunInOrderAndMayResurrect), &FinalizersRunInOrderAndMayResurrect);
        suite.Add(nameof(SuppressFinalizeAndReRegisterBehaveAsOnDotNet), &SuppressFinalizeAndReRegisterBehaveAsOnDotNet);
        suite.Add(nameof(HeapPagesReturnToTheFrameAllocator), &HeapPagesReturnToTheFrameAllocator);
        suite.Add(nameof(GcApisReportTheCollections), &GcApisReportTheCollections);
        suite.Add(nameof(VerificationFindsEveryReferenceValidAfterCollections), &VerificationFindsEveryReferenceValidAfterCollections);
        suite.Add(nameof(VerificationCatchesAReferenceIntoFreedMemory), &VerificationCatchesAReferenceIntoFreedMemory);
        suite.Add(nameof(AllocatingFarMoreThanTheHeapInsideFuncletsCollectsThere), &AllocatingFarMoreThanTheHeapInsideFuncletsCollectsThere);
    }

    private static ulong GuestRamBytes => KernelTestSuites.Kernel.Frames.TotalFrames * 4096;

    private static ulong AddressOf(object o) => (ulong)Unsafe.As<object, nint>(ref o);

    private sealed class Node(int value, Node? next)
    {
        public readonly int Value = value;
        public Node? Next = next;
    }

    /// <summary>
    /// <c>strix.gcstress=full</c> on the command line: the stress tests at the sizes (a boot test of its
    /// own runs them, StrixOS.Tests/Booting/KernelBootTests.cs); without it they are scaled so the whole suite
    /// stays within a boot's time on every machine of the matrix under emulation.
    /// </summary>
    private static bool FullStress =>
        KernelTestSuites.Kernel.CommandLine.TryGetValue("strix.gcstress", out string stress) && stress == "full";

    /// <summary>
    /// 10x the guest's RAM in objects of 24 bytes to 16 KiB that die at once, with a few survivors rotating
    /// through a small array: with strix.gcstress=full 4 GiB on guests above 400 MiB (the sizes), else
    /// capped at 128 MiB. The object heap never holds more than a few budgets' worth.
    /// </summary>
    private static void ShortLivedObjectsOfTenTimesRamAreCollected(TestContext t)
    {
        ulong target = GuestRamBytes > 400UL << 20 ? 4UL << 30 : GuestRamBytes * 10;
        if (!FullStress && target > 128UL << 20)
            target = 128UL << 20;
        HeapAllocator heap = KernelHeap.ObjectHeap!;
        int before = GC.CollectionCount(0);
        var survivors = new object[64];
        ulong allocated = 0;
        ulong peakInUse = 0;
        uint seed = 12345;
        int i = 0;
        while (allocated < target)
        {
            seed = seed * 1103515245 + 12345;
            int kind = (int)(seed >> 16) % 8;
            int length = (int)(seed >> 4) & 0x3FFF;
            object o;
            switch (kind)
            {
                case 0:
                    o = new byte[length];
                    allocated += 24 + (ulong)length;
                    break;
                case 1:
                    o = new Node(i, null);
                    allocated += 32;
                    break;
                case 2:
                    o = new string('x', length % 600);
                    allocated += 24 + (ulong)(length % 600) * 2;
                    break;
                case 3:
                    o = new object[length % 200];
                    allocated += 24 + (ulong)(length % 200) * 8;
                    break;
                default:
                    o = new long[length % 64];
                    allocated += 24 + (ulong)(length % 64) * 8;
                    break;
            }
            if ((i & 255) == 0)
                survivors[(i >> 8) & 63] = o;
            if (heap.BytesInUse > peakInUse)
                peakInUse = heap.BytesInUse;
            i++;
        }
        int collections = GC.CollectionCount(0) - before;
        t.True(collections > 0, "no collection ran");
        // Live data is at most 64 survivors; the heap stays within a few budgets of that.
        t.True(peakInUse < 64UL << 20, $"object heap peaked at {peakInUse >> 20} MiB while allocating {allocated >> 20} MiB in {i} objects ({collections} collections)");
        GC.KeepAlive(survivors);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Node BuildList(int count)
    {
        Node? head = null;
        for (int i = count - 1; i >= 0; i--)
            head = new Node(i, head);
        return head!;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Churn(int objects)
    {
        for (int i = 0; i < objects; i++)
            _ = new Node(-i, null);
    }

    /// <summary>
    /// A linked list survives collections with garbage allocated between them, its count and checksum checked
    /// along the way. With strix.gcstress=full: 1M nodes and 100 collections (the sizes) on guests of
    /// 128 MiB and more, 200k nodes on 32M guests (1M nodes of 32 bytes are 32 MiB, more than such a guest has
    /// free). Else scaled (every collection marks the whole list): 1M nodes and 3 collections on guests of
    /// 1 GiB and more, 100k nodes and 20 collections on 128M guests, 20k nodes and 100 collections on 32M guests.
    /// </summary>
    private static void ALargeLinkedStructureSurvivesManyCollections(TestContext t)
    {
        bool big = GuestRamBytes >= (128UL << 20) - (16UL << 20);
        int count = FullStress ? (big ? 1_000_000 : 200_000)
            : GuestRamBytes >= (1UL << 30) - (64UL << 20) ? 1_000_000 : big ? 100_000 : 20_000;
        int rounds = FullStress ? 100 : count >= 1_000_000 ? 3 : count >= 100_000 ? 20 : 100;
        Node head = BuildList(count);
        long expected = (long)count * (count - 1) / 2;
        for (int round = 0; round < rounds; round++)
        {
            Churn(1000);
            GC.Collect();
            if ((round & 3) != 0 && round != rounds - 1)
                continue;
            long sum = 0;
            int nodes = 0;
            for (Node? n = head; n != null; n = n.Next)
            {
                if (n.Value != nodes)
                {
                    t.Fail($"round {round}: node {nodes} holds {n.Value}");
                    return;
                }
                sum += n.Value;
                nodes++;
            }
            if (!t.Equal(count, nodes) || !t.Equal(expected, sum))
                return;
        }
        GC.KeepAlive(head);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference WeakToGarbage() => new WeakReference(new Node(7, null));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (WeakReference Short, WeakReference Long) WeakPairToGarbage()
    {
        var o = new Node(8, null);
        return (new WeakReference(o), new WeakReference(o, trackResurrection: true));
    }

    private static void WeakReferencesAreClearedWhenTheTargetDies(TestContext t)
    {
        var live = new Node(1, null);
        var toLive = new WeakReference(live);
        WeakReference toDead = WeakToGarbage();
        (WeakReference shortWeak, WeakReference longWeak) = WeakPairToGarbage();
        GC.Collect();
        t.True(ReferenceEquals(live, toLive.Target), "a weak reference to a live object was cleared");
        t.Null(toDead.Target);
        t.Null(shortWeak.Target);
        t.Null(longWeak.Target);   // no finalizer: nothing resurrects it
        t.False(toDead.IsAlive);
        GC.KeepAlive(live);
    }

    private sealed class Payload(int value)
    {
        public readonly int Value = value;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference AddGarbageKey(ConditionalWeakTable<object, Payload> table)
    {
        var key = new object();
        var value = new Payload(2);
        table.Add(key, value);
        return new WeakReference(value);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference AddValue(ConditionalWeakTable<object, Payload> table, object key)
    {
        var value = new Payload(1);
        table.Add(key, value);
        return new WeakReference(value);
    }

    private static void ConditionalWeakTableValuesLiveExactlyAsLongAsTheirKeys(TestContext t)
    {
        var table = new ConditionalWeakTable<object, Payload>();
        var key = new object();
        WeakReference liveValue = AddValue(table, key);
        WeakReference deadValue = AddGarbageKey(table);
        GC.Collect();
        t.True(liveValue.IsAlive, "the value of a live key was collected (dependent handle not followed)");
        t.True(table.TryGetValue(key, out Payload? found) && found!.Value == 1, "the table lost the value of a live key");
        t.False(deadValue.IsAlive, "the value of a dead key survived");
        GC.KeepAlive(key);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static GCHandle PinnedGarbage()
    {
        var bytes = new byte[100];
        for (int i = 0; i < bytes.Length; i++)
            bytes[i] = (byte)(i * 3);
        return GCHandle.Alloc(bytes, GCHandleType.Pinned);
    }

    private static void APinnedObjectIsNotFreed(TestContext t)
    {
        GCHandle pin = PinnedGarbage();
        byte* data = (byte*)pin.AddrOfPinnedObject();
        GC.Collect();
        Churn(20000);   // would reuse the array's slot had it been freed
        bool intact = true;
        for (int i = 0; i < 100; i++)
            intact &= data[i] == (byte)(i * 3);
        t.True(intact, "the pinned array's contents changed");
        t.NotEqual(0UL, Collector.LiveBlockContaining((ulong)data));
        pin.Free();
    }

    private sealed class Holder(long value)
    {
        public long Value = value;
        public long Check = ~value;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CollectAndReuse()
    {
        GC.Collect();
        for (int i = 0; i < 5000; i++)
            _ = new Holder(-1);   // same size: lands in a freed Holder's slot if one was freed
    }

    /// <summary>
    /// Optimized code keeps locals live across calls in callee-saved registers (rbx, r12-r15): the
    /// scanner must find them through the save slots of the callees (GcRoots tests show where); here
    /// such a holder survives collections that reuse freed slots of its size.
    /// </summary>
    private static void AReferenceInACalleeSavedRegisterSurvivesACollectingCall(TestContext t)
    {
        var a = new Holder(0x1111);
        var b = new Holder(0x2222);
        var c = new Holder(0x3333);
        for (int i = 0; i < 3; i++)
        {
            CollectAndReuse();
            a.Value += 1;
            b.Value += 2;
            c.Value += 3;
        }
        t.True(a.Value == 0x1111 + 3 && a.Check == ~0x1111L, $"a = {a.Value:x}/{a.Check:x}");
        t.True(b.Value == 0x2222 + 6 && b.Check == ~0x2222L, $"b = {b.Value:x}/{b.Check:x}");
        t.True(c.Value == 0x3333 + 9 && c.Check == ~0x3333L, $"c = {c.Value:x}/{c.Check:x}");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ref long MiddleOf(long[] array) => ref array[array.Length / 2];

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ref long InteriorOfGarbage()
    {
        var array = new long[1000];
        for (int i = 0; i < array.Length; i++)
            array[i] = i;
        return ref MiddleOf(array);
    }

    private static void AnInteriorPointerKeepsItsArrayAlive(TestContext t)
    {
        ref long middle = ref InteriorOfGarbage();
        GC.Collect();
        for (int i = 0; i < 100; i++)
            _ = new long[1000];   // would take the array's block had it been freed
        t.Equal(500L, middle);
        t.Equal(501L, Unsafe.Add(ref middle, 1));
    }

    private static int[] s_order = new int[16];
    private static int s_finalized;
    private static Finalizable? s_resurrected;

    private sealed class Finalizable(int id, bool resurrect)
    {
        public readonly int Id = id;
        public readonly Node Data = new(id * 10, null);

        ~Finalizable()
        {
            if (s_finalized < s_order.Length)
                s_order[s_finalized] = Id;
            s_finalized++;
            if (resurrect)
                s_resurrected = this;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference MakeFinalizables(int first, int count, int resurrectId)
    {
        WeakReference? longWeak = null;
        for (int i = 0; i < count; i++)
        {
            var f = new Finalizable(first + i, first + i == resurrectId);
            if (first + i == resurrectId)
                longWeak = new WeakReference(f, trackResurrection: true);
        }
        return longWeak!;
    }

    private static void FinalizersRunInOrderAndMayResurrect(TestContext t)
    {
        s_finalized = 0;
        s_resurrected = null;
        WeakReference longWeak = MakeFinalizables(1, 4, resurrectId: 3);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        t.Equal(4, s_finalized);
        t.True(s_order[0] == 1 && s_order[1] == 2 && s_order[2] == 3 && s_order[3] == 4,
            $"finalizer order {s_order[0]} {s_order[1]} {s_order[2]} {s_order[3]}");
        t.NotNull(s_resurrected);
        t.Equal(3, s_resurrected!.Id);
        t.Equal(30, s_resurrected.Data.Value);   // what it reached survived with it
        t.True(ReferenceEquals(s_resurrected, longWeak.Target), "the long weak reference lost the resurrected object");
        // Resurrected and not registered again: dropping it frees it without a second finalization.
        s_resurrected = null;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        t.Equal(4, s_finalized);
        t.Null(longWeak.Target);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void MakeSuppressed(int id)
    {
        var f = new Finalizable(id, resurrect: false);
        GC.SuppressFinalize(f);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void MakeReRegistered(int id)
    {
        var f = new Finalizable(id, resurrect: false);
        GC.SuppressFinalize(f);
        GC.ReRegisterForFinalize(f);
    }

    private static void SuppressFinalizeAndReRegisterBehaveAsOnDotNet(TestContext t)
    {
        s_finalized = 0;
        MakeSuppressed(20);
        MakeReRegistered(21);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        t.Equal(1, s_finalized);
        t.Equal(21, s_order[0]);
    }

    /// <summary>Allocates about <paramref name="bytes"/> in large arrays (page runs) and small ones (slabs),
    /// all kept alive until it returns.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AllocateAndDrop(ulong bytes)
    {
        var keep = new object[bytes / (32 * 1024) + 2];
        ulong done = 0;
        int i = 0;
        while (done < bytes)
        {
            object o = (i & 1) == 0 ? new byte[64 * 1024] : new Node[200];
            keep[i] = o;
            done += (i & 1) == 0 ? 64 * 1024UL : 200 * 8UL;
            i++;
        }
        GC.KeepAlive(keep);
    }

    private static void HeapPagesReturnToTheFrameAllocator(TestContext t)
    {
        BuddyFrameAllocator frames = KernelTestSuites.Kernel.Frames;
        ulong bytes = GuestRamBytes / 8 < (16UL << 20) ? GuestRamBytes / 8 : 16UL << 20;
        // A first round sizes the collector's own tables (mark bitmap, mark stack) for this heap.
        AllocateAndDrop(bytes);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        ulong before = frames.FreeFrames;
        AllocateAndDrop(bytes);
        ulong during = frames.FreeFrames;
        GC.Collect();
        ulong after = frames.FreeFrames;
        t.True(before - during >= bytes / 4096 / 2, $"allocating {bytes >> 10} KiB took only {before - during} frames");
        // Bookkeeping: each free run keeps its first page, slabs kept for reuse, descriptor-table pages.
        const ulong Bookkeeping = 64;
        t.True(after + Bookkeeping >= before, $"{before} frames free before, {after} after the collection (during: {during})");
    }

    private static void GcApisReportTheCollections(TestContext t)
    {
        int count = GC.CollectionCount(0);
        GC.Collect();
        t.Equal(count + 1, GC.CollectionCount(0));
        long live = GC.GetTotalMemory(forceFullCollection: true);   // collects until the size settles
        t.True(GC.CollectionCount(0) >= count + 2, "GetTotalMemory(true) did not collect");
        GCMemoryInfo info = GC.GetGCMemoryInfo();
        t.Equal((long)GC.CollectionCount(0), info.Index);
        t.True(info.HeapSizeBytes > 0 && info.HeapSizeBytes <= live + 4096, $"heap size {info.HeapSizeBytes}, total memory {live}");
        t.True(info.PauseDurations[0].Ticks > 0, "a pause of 0");
        // The machine's figures, as .NET reports them: physical memory the kernel manages, a 90% threshold.
        long physical = (long)GuestRamBytes;
        t.Equal(physical, info.TotalAvailableMemoryBytes);
        t.Equal(physical / 100 * 90, info.HighMemoryLoadThresholdBytes);
        t.True(info.MemoryLoadBytes > 0 && info.MemoryLoadBytes < physical, $"memory load {info.MemoryLoadBytes} of {physical}");
        ulong junkBytes = 4UL << 20;
        AllocateAndDrop(junkBytes);
        long grown = GC.GetTotalMemory(forceFullCollection: false);
        long collected = GC.GetTotalMemory(forceFullCollection: true);
        t.True(collected < grown, $"GetTotalMemory(true) {collected} not below {grown}");
        t.True(GC.GetTotalAllocatedBytes() > (long)junkBytes, "allocated bytes");
        t.True(Collector.Count == GC.CollectionCount(2), "every collection is full");
    }

    /// <summary>strix.gcverify's check, switched on for a few collections with mixed live and dead objects.</summary>
    private static void VerificationFindsEveryReferenceValidAfterCollections(TestContext t)
    {
        bool was = Collector.Verify;
        Collector.Verify = true;
        Node list = BuildList(5000);
        for (int i = 0; i < 3; i++)
        {
            Churn(5000);
            GC.Collect();
        }
        HeapVerifyResult result = Collector.LastVerify;
        Collector.Verify = was;
        t.True(result.Objects >= 5000, $"{result.Objects} objects checked");
        t.True(result.References >= 5000, $"{result.References} references checked");
        t.Equal(0UL, result.BadObjects);
        t.Equal(0UL, result.BadReferences);
        GC.KeepAlive(list);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong AddressOfGarbage() => AddressOf(new Node(99, null));

    /// <summary>A reference planted into a freed block (what a sweep that freed a live object leaves) is reported.</summary>
    private static void VerificationCatchesAReferenceIntoFreedMemory(TestContext t)
    {
        var holder = new Node(1, null);
        ulong dead = AddressOfGarbage();
        GC.Collect();
        HeapAllocator heap = KernelHeap.ObjectHeap!;
        if (Collector.LiveBlockContaining(dead) != 0)
        {
            t.Skip("the garbage node's block was reused before the check");
            return;
        }
        // Plant the dangling reference in holder.Next, check, and take it out before anything can trace it.
        ref Node? next = ref holder.Next;
        ulong* field = (ulong*)Unsafe.AsPointer(ref next);
        *field = dead;
        HeapVerifyResult result = HeapVerifier.Check(heap);
        *field = 0;
        t.True(result.BadReferences >= 1, $"{result.BadReferences} bad references");
        t.Equal(dead, result.FirstBadReference);
        t.Equal(AddressOf(holder), result.FirstBadHolder);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowInvalid() => throw new InvalidOperationException("thrown to run a funclet");

    private static object? s_funcletGarbage;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Node? NoNode() => null;

    /// <summary>A CPU fault (a null dereference) becomes the exception: its dispatch starts at the faulting instruction.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Dereference(Node? node) => node!.Value;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowArgument() => throw new ArgumentException("thrown inside a handler");

    /// <summary>
    /// Garbage each funclet allocates: more than the whole guest's RAM on guests of up to 128 MiB (the heap cannot
    /// hold it without collecting inside the funclet), capped at 96 MiB on larger guests to keep the suite's one
    /// boot short (still many budgets: collections must run there); the guest's RAM twice with strix.gcstress=full.
    /// </summary>
    private static ulong FuncletGarbageBytes
    {
        get
        {
            ulong bytes = GuestRamBytes + (GuestRamBytes >> 2);
            if (FullStress)
                return GuestRamBytes * 2;
            return bytes > 96UL << 20 ? 96UL << 20 : bytes;
        }
    }

    /// <summary>
    /// Inside a funclet: builds a list, allocates <see cref="FuncletGarbageBytes"/> of garbage around it, counts the
    /// collections that ran here and checks the list and the outer one. A collection that missed the frames
    /// between the funclet and its method, or the method's own slots, would free live objects.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long AllocateInsideAFunclet(Node outer, int outerCount, out int collections)
    {
        Node inner = BuildList(1000);
        int before = GC.CollectionCount(0);
        ulong bytes = FuncletGarbageBytes;
        for (ulong done = 0; done < bytes; done += 32 + 1024)
        {
            // Stored, so the JIT cannot give them a stack frame instead (.NET 10 stack-allocates what does not escape).
            s_funcletGarbage = new Node(0, null);
            s_funcletGarbage = new byte[1000];
        }
        s_funcletGarbage = null;
        collections = GC.CollectionCount(0) - before;
        return Sum(inner, 1000) + Sum(outer, outerCount);
    }

    private static long Sum(Node head, int count)
    {
        long sum = 0;
        int nodes = 0;
        for (Node? n = head; n != null; n = n.Next)
        {
            if (n.Value != nodes++)
                return -1;
            sum += n.Value;
        }
        return nodes == count ? sum : -1;
    }

    private static bool FilterThatAllocates(Node outer, ref long result, ref int collections)
    {
        result = AllocateInsideAFunclet(outer, 2000, out collections);
        return true;
    }

    /// <summary>The outcome of the allocation inside one kind of funclet.</summary>
    private struct FuncletRun
    {
        public long Sum;
        public int Collections;
    }

    private static void CheckFunclet(TestContext t, string where, in FuncletRun run, long expected)
    {
        t.Equal(expected, run.Sum);
        t.True(run.Collections >= 2, $"{run.Collections} collections inside the {where}");
    }

    /// <summary>
    /// Normal C# allocates in catch blocks, finally blocks the dispatcher runs and exception filters, also inside
    /// one another. Each allocates more than the heap holds (on small guests); collections run inside the funclet
    /// (the stack scan walks the dispatcher and its ExInfo, then the handler's method), and every live object keeps
    /// its contents. The suite's gcverify boot checks every one of these collections.
    /// </summary>
    private static void AllocatingFarMoreThanTheHeapInsideFuncletsCollectsThere(TestContext t)
    {
        Node outer = BuildList(2000);
        long expected = 1000L * 999 / 2 + 2000L * 1999 / 2;
        var top = new FuncletRun[3];
        var nested = new FuncletRun[3];
        FuncletRun faultFilter = default;
        AllocateInEachKindOfFunclet<InvalidOperationException>(outer, &ThrowInvalid, top);
        try
        {
            _ = Dereference(NoNode());
        }
        catch (NullReferenceException) when (FilterThatAllocates(outer, ref faultFilter.Sum, ref faultFilter.Collections))
        {
        }
        try
        {
            ThrowInvalid();
        }
        catch (InvalidOperationException outerException)
        {
            // A second exception while the first one's catch runs: its catch, finally and filter.
            AllocateInEachKindOfFunclet<ArgumentException>(outer, &ThrowArgument, nested);
            t.Equal("thrown to run a funclet", outerException.Message);
        }
        string[] kinds = ["catch", "finally", "filter"];
        for (int i = 0; i < 3; i++)
        {
            CheckFunclet(t, kinds[i], top[i], expected);
            CheckFunclet(t, kinds[i] + " inside a catch", nested[i], expected);
        }
        CheckFunclet(t, "filter of a CPU fault", faultFilter, expected);
        t.Equal(2000L * 1999 / 2, Sum(outer, 2000));
    }

    /// <summary>Throws through <paramref name="thrower"/> three times: allocating in a catch, in a finally the dispatcher runs, and in a filter.</summary>
    private static void AllocateInEachKindOfFunclet<TException>(Node outer, delegate*<void> thrower, FuncletRun[] runs) where TException : Exception
    {
        try
        {
            thrower();
        }
        catch (TException)
        {
            runs[0].Sum = AllocateInsideAFunclet(outer, 2000, out runs[0].Collections);
        }
        try
        {
            try
            {
                thrower();
            }
            finally
            {
                runs[1].Sum = AllocateInsideAFunclet(outer, 2000, out runs[1].Collections);
            }
        }
        catch (TException)
        {
        }
        try
        {
            thrower();
        }
        catch (TException) when (FilterThatAllocates(outer, ref runs[2].Sum, ref runs[2].Collections))
        {
        }
    }
}
