using StrixOS.Diagnostics;
using StrixOS.Memory.Heap;
using StrixOS.Plugs;
using StrixOS.Threading;

namespace StrixOS.Runtime.Collector;

/// <summary>Why a collection did not run.</summary>
internal enum CollectionOutcome
{
    Collected,
    /// <summary>A collection is running already (a finalizer or the collector itself asked).</summary>
    AlreadyCollecting,
    /// <summary>No object heap yet (early boot).</summary>
    NoHeap,
    /// <summary>The stack could not be scanned completely (an interrupt handler, the exception dispatcher's second
    /// pass between funclets, corrupt GC info): nothing is freed, as a missed root would free a live object.</summary>
    StackNotScannable,
}

/// <summary>
/// The garbage collector: non-moving, non-generational mark-sweep over the object heap, stop-the-world
/// (one thread; interrupts are off while it runs). A collection marks from the precise roots
/// (<see cref="Marker"/>), clears short weak handles to unreached objects, queues unreached finalizable
/// objects and marks what they reach (<see cref="FinalizerQueue"/>), clears long weak handles and
/// dependent handles whose primary died, sweeps every unmarked block of the object heap back to its size
/// class or the free page runs, and gives the frames of free page runs back to the frame allocator.
/// With <c>strix.gcverify</c> it then checks every reference in every object (<see cref="HeapVerifier"/>).
/// <para>Policy: a collection starts when the bytes allocated since the last one pass the budget (the
/// larger of <see cref="MinimumBudget"/> and the bytes that survived the last collection, so the heap
/// may double between collections, as a mark-sweep needs to stay amortized), and always before
/// allocation reports out of memory.</para>
/// </summary>
internal static unsafe class Collector
{
    public const ulong MinimumBudget = 4UL << 20;

    private static bool s_collecting;
    /// <summary>The thread making the stack scan's lookup tables (null: none).</summary>
    private static ThreadControl* s_preparingWalks;
    private static ulong s_allocatedSinceLast;
    private static ulong s_budget = MinimumBudget;

    public static bool Verify;
    /// <summary>A collection is running (an allocation now is a bug: see <see cref="Collect"/>).</summary>
    public static bool IsCollecting => s_collecting;
    /// <summary>Physical memory the frame allocator manages (GC.GetGCMemoryInfo's total available memory); set at boot.</summary>
    public static ulong PhysicalMemoryBytes;
    public static int Count { get; private set; }
    /// <summary>Collections asked for that could not run because the stack was not scannable.</summary>
    public static int Refused { get; private set; }
    public static ulong LastFreedBytes { get; private set; }
    public static ulong LastLiveBytes { get; private set; }
    public static ulong LastHeapBytesBefore { get; private set; }
    public static ulong LastPauseNanoseconds { get; private set; }
    public static ulong TotalPauseNanoseconds { get; private set; }
    public static ulong LastPinnedRoots { get; private set; }
    public static ulong LastFinalizersQueued { get; private set; }
    public static ulong LastFramesReturned { get; private set; }
    public static MarkResult LastMark { get; private set; }
    /// <summary>Collections checked by the verifier (strix.gcverify), and what it checked in all.</summary>
    public static int Verified { get; private set; }
    public static ulong VerifiedObjects { get; private set; }
    public static ulong VerifiedReferences { get; private set; }
    public static HeapVerifyResult LastVerify { get; private set; }

    /// <summary>Counts bytes handed to the allocator (a chunk, a large object) against the budget.</summary>
    public static void Charge(ulong bytes) => s_allocatedSinceLast += bytes;

    /// <summary>The budget since the last collection is spent: the allocator's slow path collects.</summary>
    public static bool BudgetSpent => s_allocatedSinceLast >= s_budget && !s_collecting;

    /// <summary>A full collection. Finalizers do not run here: the caller runs them at its safe point.</summary>
    public static CollectionOutcome Collect()
    {
        if (s_collecting)
            return CollectionOutcome.AlreadyCollecting;
        HeapAllocator? heap = KernelHeap.ObjectHeap;
        if (heap == null)
            return CollectionOutcome.NoHeap;
        // The stack scan's lookup tables are made on first use: made here, not inside the collection, where a new
        // object would lie outside the heap the marker saw and be swept while a static holds it. Making them
        // allocates, which may ask for a collection: that one waits for the next budget.
        if (!BeginPreparingWalks())
            return CollectionOutcome.AlreadyCollecting;
        Exceptions.KernelCode.PrepareForStackWalks();
        s_preparingWalks = null;
        // Every other thread to a safepoint first (Threading/ThreadSuspension.cs); interrupts stay off until they resume.
        SuspendOutcome stop = ThreadSuspension.StopOthers(out ulong threadFlags);
        if (stop == SuspendOutcome.OtherCollected)
            return CollectionOutcome.AlreadyCollecting;
        if (stop == SuspendOutcome.NotStopped)
        {
            Refused++;
            return CollectionOutcome.StackNotScannable;
        }
        ulong flags = InterruptFlag.SaveAndDisable();
        s_collecting = true;
        ulong start = X64.ReadTimestampCounter();
        CollectionOutcome outcome = CollectWithInterruptsOff(heap);
        ulong ticks = X64.ReadTimestampCounter() - start;
        s_collecting = false;
        InterruptFlag.Restore(flags);
        ThreadSuspension.ResumeOthers(threadFlags);
        if (outcome == CollectionOutcome.Collected)
        {
            LastPauseNanoseconds = (ulong)((System.UInt128)ticks * 1_000_000_000UL / Cpu.Timestamp.TicksPerSecond);
            TotalPauseNanoseconds += LastPauseNanoseconds;
            if (Verify)
                ReportVerify();
        }
        else
        {
            Refused++;
        }
        return outcome;
    }

    /// <summary>
    /// The live block that holds <paramref name="address"/>, or 0, asked as a collection would: every other thread at a
    /// safepoint and every allocation context retired first. Outside that, a region walk stops at an active context's
    /// unused tail (not yet a cell), so <see cref="HeapAllocator.BlockContaining"/> would miss blocks after it.
    /// </summary>
    public static ulong LiveBlockContaining(ulong address)
    {
        HeapAllocator? heap = KernelHeap.ObjectHeap;
        if (heap == null || s_collecting)
            return 0;
        SuspendOutcome stop;
        ulong threadFlags;
        while ((stop = ThreadSuspension.StopOthers(out threadFlags)) == SuspendOutcome.OtherCollected)
        {
        }
        if (stop == SuspendOutcome.NotStopped)
            Panic.Fail("LiveBlockContaining: the other threads did not reach a safepoint");
        ulong flags = InterruptFlag.SaveAndDisable();
        AllocationContexts.RetireAll();
        ulong block = heap.BlockContaining(address);
        InterruptFlag.Restore(flags);
        ThreadSuspension.ResumeOthers(threadFlags);
        return block;
    }

    /// <summary>Claims the making of the lookup tables. False when this thread is making them already (its own
    /// allocation asked for a collection) or when the thread making them cannot run to let this one wait. Another
    /// thread preempted while making them is waited for: a GC.Collect is not dropped because of it.</summary>
    private static bool BeginPreparingWalks()
    {
        ThreadControl* self = Scheduler.Current;
        while (true)
        {
            ulong flags = InterruptFlag.SaveAndDisable();
            ThreadControl* owner = s_preparingWalks;
            if (owner == null)
                s_preparingWalks = self;
            InterruptFlag.Restore(flags);
            if (owner == null)
                return true;
            if (owner == self || !Scheduler.Yield())
                return false;
        }
    }

    // Kept out of the frame that saved the interrupt flag: the stack scan starts at its caller's caller.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static CollectionOutcome CollectWithInterruptsOff(HeapAllocator heap)
    {
        // Every context's unused tail becomes a free cell: the heap is walkable, and its counts exact.
        AllocationContexts.RetireAll();
        ulong before = heap.BytesInUse;
        ulong phase = CollectionProfile.Now();
        Marker.MarkFromRoots();
        MarkResult mark = Marker.Result;
        if (mark.StackStatus != StackScanStatus.Complete || !StackRootScanner.LastReachedEntry)
        {
            // Nothing freed; let the next allocation try again only after another budget.
            s_allocatedSinceLast = 0;
            return CollectionOutcome.StackNotScannable;
        }
        Count++;
        CollectionProfile.MarkTicks += CollectionProfile.Now() - phase;
        phase = CollectionProfile.Now();

        var weak = new WeakClearer();
        HandleTable.ScanKind(HandleKind.Weak, ref weak);
        LastFinalizersQueued = FinalizerQueue.QueueUnreachable();
        HandleTable.ScanKind(HandleKind.WeakTrackResurrection, ref weak);
        var dependents = new DependentClearer();
        HandleTable.ScanKind(HandleKind.Dependent, ref dependents);

        CollectionProfile.WeakAndFinalizerTicks += CollectionProfile.Now() - phase;
        phase = CollectionProfile.Now();
        var liveness = new MarkedObjects();
        SweepResult swept = heap.Sweep(ref liveness);
        CollectionProfile.SweepTicks += CollectionProfile.Now() - phase;
        phase = CollectionProfile.Now();
        LastFramesReturned = heap.DecommitFreeRuns(ReservePages());
        CollectionProfile.DecommitTicks += CollectionProfile.Now() - phase;

        LastMark = Marker.Result;
        LastPinnedRoots = LastMark.PinnedRoots;
        LastHeapBytesBefore = before;
        LastFreedBytes = swept.FreedBytes;
        LastLiveBytes = heap.BytesInUse;
        s_allocatedSinceLast = 0;
        s_budget = LastLiveBytes > MinimumBudget ? LastLiveBytes : MinimumBudget;
        if (Verify)
        {
            LastVerify = HeapVerifier.Check(heap);
            Verified++;
            VerifiedObjects += LastVerify.Objects;
            VerifiedReferences += LastVerify.References;
        }
        return CollectionOutcome.Collected;
    }

    /// <summary>Free heap pages kept mapped after a collection for the allocations that follow: 4 MiB, at most
    /// 1/64 of physical memory, rather than unmapping and mapping them again every collection.</summary>
    private static ulong ReservePages()
    {
        ulong bytes = PhysicalMemoryBytes / 64 < MinimumBudget ? PhysicalMemoryBytes / 64 : MinimumBudget;
        return bytes / 4096;
    }

    private static void ReportVerify()
    {
        HeapVerifyResult result = LastVerify;
        if (result.BadReferences == 0 && result.BadObjects == 0)
            return;
        // Off first: building the message allocates, and that allocation may collect.
        Verify = false;
        Panic.Fail($"gcverify: after collection {Count}: {result.BadObjects} bad objects, {result.BadReferences} references to no object (first {Hex.Format(result.FirstBadReference)} in the object at {Hex.Format(result.FirstBadHolder)})");
    }

    private struct MarkedObjects : IBlockLiveness
    {
        // Each block of the object heap holds one object, 8 bytes in (after its header).
        public bool IsLive(ulong block) => Marker.IsMarked(block + 8);

        public ulong LiveStarts(ulong address) => Marker.LiveStarts(address);
    }

    private struct WeakClearer : IRootVisitor
    {
        public void Visit(ulong* slot, bool interior, bool pinned)
        {
            if (Marker.IsDead(*slot))
                *slot = 0;
        }
    }

    /// <summary>A dependent handle whose primary died lets go of both (CoreLib then reads null from it).</summary>
    private struct DependentClearer : IRootVisitor
    {
        public void Visit(ulong* slot, bool interior, bool pinned)
        {
            if (Marker.IsDead(slot[0]))
            {
                slot[0] = 0;
                slot[1] = 0;
            }
        }
    }
}
