using System;
using System.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using StrixOS.Runtime.Collector;
using StrixOS.Runtime.Exceptions;
using StrixOS.Testing;

namespace StrixOS.KernelTests;

/// <summary>
/// Precise stack roots (issue 13, stage 2): the scanner walks the live kernel stack and finds the
/// references its frames hold, in stack slots and in callee-saved registers, through the place
/// each is stored, so that rewriting a root changes what the frame sees.
/// </summary>
public static unsafe class GcRootTests
{
    public static void Register(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("GcRoots");
        suite.Add(nameof(ALocalLiveAcrossACallIsAStackRoot), &ALocalLiveAcrossACallIsAStackRoot);
        suite.Add(nameof(EveryRootOfADeepStackPointsAtAnObject), &EveryRootOfADeepStackPointsAtAnObject);
        suite.Add(nameof(RewritingARootChangesTheFramesReference), &RewritingARootChangesTheFramesReference);
        suite.Add(nameof(StaticFieldsAreReachedFromStaticBaseRoots), &StaticFieldsAreReachedFromStaticBaseRoots);
        suite.Add(nameof(ThreadStaticFieldsAreReachedFromThreadStaticRoots), &ThreadStaticFieldsAreReachedFromThreadStaticRoots);
        suite.Add(nameof(StrongAndPinnedHandlesAreRootsWeakAndFreedOnesAreNot), &StrongAndPinnedHandlesAreRootsWeakAndFreedOnesAreNot);
        suite.Add(nameof(DependentHandlesPairPrimaryWithSecondary), &DependentHandlesPairPrimaryWithSecondary);
        suite.Add(nameof(GcApisLinkAndCountAllocations), &GcApisLinkAndCountAllocations);
        suite.Add(nameof(AFinallyOnTheNormalPathReportsItsMethodsFrame), &AFinallyOnTheNormalPathReportsItsMethodsFrame);
        suite.Add(nameof(AScanInsideACatchHandlerReachesTheEntryAndReportsTheException), &AScanInsideACatchHandlerReachesTheEntryAndReportsTheException);
    }

    private sealed class Holder(int value)
    {
        public int Value = value;
    }

    /// <summary>Finds roots holding one address; checks that every other root looks like a reference.</summary>
    private struct CheckingVisitor : IRootVisitor
    {
        public ulong Target;
        public ulong Replacement;
        public uint Found;
        public uint Checked;
        public uint NotAnObject;
        public ulong FirstBad;

        public void Visit(ulong* slot, bool interior, bool pinned)
        {
            ulong value = *slot;
            if (value == Target)
            {
                Found++;
                if (Replacement != 0)
                    *slot = Replacement;
            }
            if (interior || value == 0)
                return;
            Checked++;
            if (!LooksLikeObject(value))
            {
                if (NotAnObject == 0)
                    FirstBad = value;
                NotAnObject++;
            }
        }
    }

    /// <summary>An object starts with a MethodTable pointer into the kernel image, whose base size is sane.</summary>
    private static bool LooksLikeObject(ulong address)
    {
        ulong imageBase = KernelCode.Symbols.ImageBase;
        if ((address & 7) != 0 || address < 0xFFFF_8000_0000_0000)
            return false;
        ulong methodTable = *(ulong*)address;
        if ((methodTable & 7) != 0 || methodTable < imageBase || methodTable >= imageBase + (256UL << 20))
            return false;
        uint baseSize = *(uint*)(methodTable + 4);
        return baseSize >= 16 && baseSize < (1u << 20);
    }

    private static ulong AddressOf(object o) => (ulong)Unsafe.As<object, nint>(ref o);

    private static CheckingVisitor s_visitor;
    private static StackScanResult s_result;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ScanNow()
    {
        CheckingVisitor visitor = s_visitor;
        s_result = StackRootScanner.Scan(ref visitor);
        s_visitor = visitor;
    }

    private static void ALocalLiveAcrossACallIsAStackRoot(TestContext t)
    {
        var holder = new Holder(41);
        s_visitor = new CheckingVisitor { Target = AddressOf(holder) };
        ScanNow();
        holder.Value++;                     // keeps the local live across the call
        t.Equal((int)StackScanStatus.Complete, (int)s_result.Status);
        t.True(s_result.Frames >= 3, "frames walked");
        t.True(s_visitor.Found >= 1, "the local's object is reported as a root");
        t.Equal(0u, s_visitor.NotAnObject);
        t.Equal(42, holder.Value);
    }

    private static void EveryRootOfADeepStackPointsAtAnObject(TestContext t)
    {
        s_visitor = default;
        int sum = Recurse(30);
        t.Equal((int)StackScanStatus.Complete, (int)s_result.Status);
        t.True(s_result.Frames >= 30, "all recursion frames walked");
        t.True(s_visitor.Checked >= 30, "each frame reports its object");
        t.True(s_visitor.NotAnObject == 0, $"{s_visitor.NotAnObject} of {s_visitor.Checked} roots are not objects (first 0x{s_visitor.FirstBad:x})");
        t.Equal(30 * 31 / 2, sum);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Recurse(int depth)
    {
        var mine = new Holder(depth);
        string label = depth.ToString();
        if (depth == 1)
            ScanNow();
        else
            mine.Value += Recurse(depth - 1);
        return mine.Value + label.Length - label.Length;
    }

    private static Holder s_replacement = null!;
    private static Holder s_staticHeld = null!;
    [System.ThreadStatic] private static Holder? s_threadHeld;

    /// <summary>Finds roots whose object has a field holding <see cref="Target"/>: a static base holding a static field.</summary>
    private struct FieldSearchVisitor : IRootVisitor
    {
        public ulong Target;
        public uint Roots, NotAnObject, Holding;

        public void Visit(ulong* slot, bool interior, bool pinned)
        {
            Roots++;
            ulong obj = *slot;
            if (obj == 0)
                return;
            if (!LooksLikeObject(obj))
            {
                NotAnObject++;
                return;
            }
            uint baseSize = *(uint*)(*(ulong*)obj + 4);
            for (uint offset = 8; offset + 8 <= baseSize; offset += 8)
            {
                if (*(ulong*)(obj + offset) == Target)
                    Holding++;
            }
        }
    }

    private static void StaticFieldsAreReachedFromStaticBaseRoots(TestContext t)
    {
        s_staticHeld = new Holder(5);
        var visitor = new FieldSearchVisitor { Target = AddressOf(s_staticHeld) };
        StaticScanResult result = StaticRootScanner.Scan(ref visitor);
        t.True(result.StaticBases >= 50, $"{result.StaticBases} GC static bases");
        t.Equal(0u, visitor.NotAnObject);
        t.Equal(1u, visitor.Holding);
    }

    private static uint StrongRootsHolding(object target, out uint pinnedHits)
    {
        var visitor = new CheckingVisitor { Target = AddressOf(target) };
        HandleTable.ScanStrong(ref visitor);
        var pinned = new PinnedCounter { Target = AddressOf(target) };
        HandleTable.ScanStrong(ref pinned);
        pinnedHits = pinned.Pinned;
        return visitor.Found;
    }

    private struct PinnedCounter : IRootVisitor
    {
        public ulong Target;
        public uint Pinned;

        public void Visit(ulong* slot, bool interior, bool pinned)
        {
            if (*slot == Target && pinned)
                Pinned++;
        }
    }

    private static void StrongAndPinnedHandlesAreRootsWeakAndFreedOnesAreNot(TestContext t)
    {
        var strong = new Holder(1);
        int[] pinnedArray = new int[4];
        var weak = new Holder(3);
        uint before = HandleTable.LiveHandles;
        GCHandle strongHandle = GCHandle.Alloc(strong, GCHandleType.Normal);
        GCHandle pinnedHandle = GCHandle.Alloc(pinnedArray, GCHandleType.Pinned);
        GCHandle weakHandle = GCHandle.Alloc(weak, GCHandleType.Weak);
        t.Equal(before + 3, HandleTable.LiveHandles);
        t.Equal(1u, StrongRootsHolding(strong, out uint strongPinned));
        t.Equal(0u, strongPinned);
        t.Equal(1u, StrongRootsHolding(pinnedArray, out uint arrayPinned));
        t.Equal(1u, arrayPinned);
        t.Equal(0u, StrongRootsHolding(weak, out _));
        t.True(ReferenceEquals(weak, weakHandle.Target), "a weak handle still reads its target");
        strongHandle.Free();
        pinnedHandle.Free();
        weakHandle.Free();
        t.Equal(before, HandleTable.LiveHandles);
        t.Equal(0u, StrongRootsHolding(strong, out _));
        t.Equal(0u, StrongRootsHolding(pinnedArray, out _));
    }

    private static void DependentHandlesPairPrimaryWithSecondary(TestContext t)
    {
        var primary = new Holder(1);
        var secondary = new Holder(2);
        var handle = new DependentHandle(primary, secondary);
        var visitor = new DependentFinder { Primary = AddressOf(primary), Secondary = AddressOf(secondary) };
        HandleTable.ScanKind(HandleKind.Dependent, ref visitor);
        t.Equal(1u, visitor.Pairs);
        t.Equal(0u, StrongRootsHolding(secondary, out _));
        t.True(ReferenceEquals(secondary, handle.Dependent), "the dependent reads back");
        handle.Dispose();
        visitor.Pairs = 0;
        HandleTable.ScanKind(HandleKind.Dependent, ref visitor);
        t.Equal(0u, visitor.Pairs);
    }

    /// <summary>
    /// The GC class's queries link and tell the truth of a heap without collections yet: allocated
    /// bytes grow by what was allocated, no collection happened, and no finalizer is pending.
    /// </summary>
    private static void GcApisLinkAndCountAllocations(TestContext t)
    {
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var array = new byte[10000];
        long after = GC.GetTotalAllocatedBytes(precise: true);
        t.True(after - before >= 10000 && after - before < 10100, $"{after - before} bytes counted for a 10000-byte array");
        int collections = GC.CollectionCount(0);
        GC.Collect();
        t.Equal(collections + 1, GC.CollectionCount(0));
        t.Equal(collections + 1, GC.CollectionCount(2));
        GC.WaitForPendingFinalizers();
        var weak = new WeakReference(array);
        t.True(ReferenceEquals(array, weak.Target), "a weak reference reads its live target");
        GCMemoryInfo info = GC.GetGCMemoryInfo();
        t.Equal((long)collections + 1, info.Index);
        t.True(info.HeapSizeBytes >= 10000, $"heap size {info.HeapSizeBytes} after the collection");
        GC.KeepAlive(array);
        t.True(GC.GetTotalMemory(forceFullCollection: false) > 0, "memory in use");
    }

    private static int s_counter;

    /// <summary>
    /// A finally with a try inside it is not cloned into the normal path (the JIT clones only simple
    /// ones): it stays a funclet its method calls, and the scan
    /// goes through it, and the method's references are reported once, through the funclet.
    /// </summary>
    private static void AFinallyOnTheNormalPathReportsItsMethodsFrame(TestContext t)
    {
        int value = HeldAcrossFinally();
        t.Equal((int)StackScanStatus.Complete, (int)s_result.Status);
        t.True(s_result.FuncletFrames >= 1, $"{s_result.FuncletFrames} funclet frames (the finally was inlined into the method?)");
        t.True(s_visitor.Found >= 1, "the method's object is reported through the funclet");
        t.Equal(0u, s_visitor.NotAnObject);
        t.Equal(9, value);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int HeldAcrossFinally()
    {
        var held = new Holder(9);
        try
        {
            MayThrow();
        }
        finally
        {
            for (int i = 0; i < s_counter % 3 + 2; i++)
            {
                s_counter += i;
                if (i == 1)
                {
                    s_visitor = new CheckingVisitor { Target = AddressOf(held) };
                    ScanNow();
                }
                else
                {
                    s_counter ^= held.Value;
                }
            }
            try
            {
                MayThrow();
            }
            catch (OverflowException)
            {
                s_counter = 0;
            }
        }
        return held.Value;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void MayThrow()
    {
        s_counter++;
        if (s_counter < 0)
            throw new OverflowException();
    }

    /// <summary>
    /// A scan from a catch funclet the dispatcher called walks the dispatcher's frames, reports the exception
    /// through its ExInfo, goes on at the catching method (reported once, through the funclet) and reaches the
    /// kernel's entry; every root it reports points at an object.
    /// </summary>
    private static void AScanInsideACatchHandlerReachesTheEntryAndReportsTheException(TestContext t)
    {
        var held = new Holder(3);
        InvalidOperationException? caught = null;
        try
        {
            throw new InvalidOperationException("scan from a catch");
        }
        catch (InvalidOperationException e)
        {
            s_visitor = new CheckingVisitor { Target = AddressOf(e) };
            ScanNow();
            caught = e;
        }
        t.Equal((int)StackScanStatus.Complete, (int)s_result.Status);
        t.True(s_result.ReachedEntry, "the walk reached the kernel's entry");
        t.True(s_result.Dispatches >= 1, $"{s_result.Dispatches} dispatches walked");
        t.True(s_visitor.Found >= 1, "the exception object is reported");
        t.Equal(0u, s_visitor.NotAnObject);
        t.Equal("scan from a catch", caught?.Message);
        t.Equal(3, held.Value);
    }

    private struct DependentFinder : IRootVisitor
    {
        public ulong Primary, Secondary;
        public uint Pairs;

        public void Visit(ulong* slot, bool interior, bool pinned)
        {
            if (slot[0] == Primary && slot[1] == Secondary)
                Pairs++;
        }
    }

    private static void ThreadStaticFieldsAreReachedFromThreadStaticRoots(TestContext t)
    {
        s_threadHeld = new Holder(6);
        var visitor = new FieldSearchVisitor { Target = AddressOf(s_threadHeld) };
        StaticScanResult result = StaticRootScanner.Scan(ref visitor);
        t.True(result.ThreadStaticRoots >= 1, $"{result.ThreadStaticRoots} thread-static roots");
        t.Equal(0u, visitor.NotAnObject);
        t.True(visitor.Holding >= 1, "the thread-static storage holding the field is a root");
    }

    /// <summary>
    /// A reference kept across calls in a loop lives in a callee-saved register or a stack slot; the
    /// scanner reports where it is stored, so writing another object there is what the frame then
    /// reads (what a moving collector relies on; SharpOS's walker lost such registers).
    /// </summary>
    private static void RewritingARootChangesTheFramesReference(TestContext t)
    {
        s_replacement = new Holder(1000);
        int seen = HoldAcrossCalls();
        t.Equal((int)StackScanStatus.Complete, (int)s_result.Status);
        t.True(s_visitor.Found >= 1, "the held object is reported");
        t.True(s_result.RegisterRoots >= 1, $"{s_result.RegisterRoots} roots came through callee-saved register save slots");
        t.Equal(7 + 1000, seen);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int HoldAcrossCalls()
    {
        var held = new Holder(7);
        int first = 0;
        for (int i = 0; i < 2; i++)
        {
            if (i == 0)
            {
                first = held.Value;
                s_visitor = new CheckingVisitor { Target = AddressOf(held), Replacement = AddressOf(s_replacement) };
                ScanNow();
            }
            else
            {
                return first + held.Value;
            }
        }
        return -1;
    }
}
