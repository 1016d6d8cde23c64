using System;
using System.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using StrixOS.Runtime.Collector;
using StrixOS.Testing;

namespace StrixOS.KernelTests;

/// <summary>
/// The mark phase as a check (issue 13: nothing is freed yet): from the precise roots it reaches
/// what the program can reach and nothing it cannot (an object held only weakly, a dependent
/// secondary whose primary is gone), every reference it meets points at a valid object, and the
/// objects are left intact.
/// </summary>
public static unsafe class GcMarkTests
{
    public static void Register(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("GcMark");
        suite.Add(nameof(MarkingReachesALongListAndLeavesItIntact), &MarkingReachesALongListAndLeavesItIntact);
        suite.Add(nameof(AnObjectHeldOnlyWeaklyIsNotReached), &AnObjectHeldOnlyWeaklyIsNotReached);
        suite.Add(nameof(ADependentSecondaryIsReachedOnlyThroughALivePrimary), &ADependentSecondaryIsReachedOnlyThroughALivePrimary);
    }

    private sealed class Node(int value, Node? next)
    {
        public readonly int Value = value;
        public readonly Node? Next = next;
        public readonly string Label = value % 100 == 0 ? value.ToString() : "";
    }

    private static ulong AddressOf(object o) => (ulong)Unsafe.As<object, nint>(ref o);

    private static void MarkingReachesALongListAndLeavesItIntact(TestContext t)
    {
        const int count = 20000;
        Node? head = null;
        Node? tail = null;
        for (int i = 0; i < count; i++)
        {
            head = new Node(i, head);
            tail ??= head;
        }
        MarkResult result = Marker.MarkAndUnmark(AddressOf(tail!));
        t.Equal((int)StackScanStatus.Complete, (int)result.StackStatus);
        t.True(result.BadReferences == 0, $"{result.BadReferences} references to no object (first 0x{result.FirstBad:x})");
        t.True(result.Objects >= count, $"{result.Objects} objects reached");
        t.Equal(1u, result.ProbesReached & 1);
        long sum = 0;
        int nodes = 0;
        for (Node? n = head; n != null; n = n.Next)
        {
            sum += n.Value;
            nodes++;
        }
        t.Equal(count, nodes);
        t.Equal((long)count * (count - 1) / 2, sum);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static GCHandle WeakOrphan() => GCHandle.Alloc(new Node(-1, null), GCHandleType.Weak);

    private static ulong TargetOf(GCHandle handle) => *(ulong*)GCHandle.ToIntPtr(handle);

    private static void AnObjectHeldOnlyWeaklyIsNotReached(TestContext t)
    {
        GCHandle orphan = WeakOrphan();
        var kept = new Node(1, null);
        GCHandle keptWeak = GCHandle.Alloc(kept, GCHandleType.Weak);
        MarkResult result = Marker.MarkAndUnmark(TargetOf(orphan), TargetOf(keptWeak));
        t.Equal((int)StackScanStatus.Complete, (int)result.StackStatus);
        t.Equal(0u, result.ProbesReached & 1);
        t.Equal(2u, result.ProbesReached & 2);
        t.True(result.WeakTargetsUnreached >= 1, $"{result.WeakTargetsUnreached} weak targets a collection would clear");
        t.Equal(0UL, result.BadReferences);
        orphan.Free();
        keptWeak.Free();
        GC.KeepAlive(kept);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static DependentHandle OrphanPrimaryWith(object secondary) => new DependentHandle(new Node(-2, null), secondary);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static DependentHandle PairWithFreshSecondary(object primary) => new DependentHandle(primary, new Node(-3, null));

    private static void ADependentSecondaryIsReachedOnlyThroughALivePrimary(TestContext t)
    {
        var primary = new Node(2, null);
        DependentHandle live = PairWithFreshSecondary(primary);
        DependentHandle dead = OrphanPrimaryWith(new Node(-4, null));
        ulong liveSecondary = ((ulong*)DependentHandleAddress(live))[1];
        ulong deadSecondary = ((ulong*)DependentHandleAddress(dead))[1];
        MarkResult result = Marker.MarkAndUnmark(liveSecondary, deadSecondary);
        t.Equal((int)StackScanStatus.Complete, (int)result.StackStatus);
        t.Equal(1u, result.ProbesReached & 1);
        t.Equal(0u, result.ProbesReached & 2);
        t.Equal(0UL, result.BadReferences);
        live.Dispose();
        dead.Dispose();
        GC.KeepAlive(primary);
    }

    private static nint DependentHandleAddress(DependentHandle handle) => Unsafe.As<DependentHandle, nint>(ref handle);
}
