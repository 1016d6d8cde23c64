using System.Runtime.CompilerServices;
using StrixOS.Diagnostics;
using StrixOS.Plugs;

namespace StrixOS.Runtime.Collector;

/// <summary>
/// Finalization as .NET does it. Every object of a type with a finalizer is registered when it is
/// allocated. A collection that finds a registered object unreachable moves it to the ready queue,
/// which is a root: the object and everything it reaches survive that collection (so weak handles
/// that track resurrection keep them). The finalizers then run on the finalizer thread
/// (<see cref="FinalizerThread"/>), which the collection wakes, in the order the objects were queued;
/// before that thread exists (early boot) they run on the booting thread after the collection; an object a finalizer stores somewhere lives on (resurrection) and is not
/// finalized again unless <c>GC.ReRegisterForFinalize</c> registers it anew. <c>GC.SuppressFinalize</c>
/// sets the object header's "finalizer run" bit (0x40000000, as CoreCLR's GC), and an object with the
/// bit set is dropped instead of finalized. Both lists are raw kernel-heap arrays of addresses.
/// </summary>
internal static unsafe class FinalizerQueue
{
    /// <summary>BIT_SBLK_FINALIZER_RUN in the 32-bit word before the MethodTable pointer.</summary>
    private const uint FinalizerRunBit = 0x40000000;
    /// <summary>EETypeFlags.HasFinalizerFlag.</summary>
    public const uint HasFinalizerFlag = 0x00100000;
    /// <summary>EETypeFlags.HasDispatchMap: a relative pointer to the dispatch map precedes the finalizer's.</summary>
    private const uint HasDispatchMapFlag = 0x00040000;

    private static ulong* s_registered;
    private static ulong s_registeredCount;
    private static ulong s_registeredCapacity;
    private static ulong* s_ready;
    private static ulong s_readyHead;
    private static ulong s_readyCount;
    private static ulong s_readyCapacity;
    private static bool s_running;
    /// <summary>Objects ever queued, and ever taken off the queue and finished: a waiter for the finalizers
    /// queued so far waits until the second reaches what the first was when it started waiting.</summary>
    private static ulong s_queuedTotal, s_finishedTotal;

    public static ulong RegisteredCount => s_registeredCount;
    public static ulong PendingCount => s_readyCount - s_readyHead;
    /// <summary>Finalizers run since boot.</summary>
    public static ulong FinalizersRun { get; private set; }
    public static ulong QueuedTotal => s_queuedTotal;
    public static ulong FinishedTotal => s_finishedTotal;

    private static uint* HeaderWord(ulong obj) => (uint*)(obj - 4);

    public static bool HasFinalizer(ulong methodTable) => (*(uint*)methodTable & HasFinalizerFlag) != 0;

    public static void Register(ulong obj) => Append(ref s_registered, ref s_registeredCount, ref s_registeredCapacity, obj);

    /// <summary>Makes sure the next <see cref="Register"/> does not need to grow the list.</summary>
    public static void ReserveOne()
    {
        if (s_registeredCount == s_registeredCapacity)
            WordList.Grow(ref s_registered, ref s_registeredCount, ref s_registeredCapacity, InitialCapacity);
    }

    public static void Suppress(ulong obj) => *HeaderWord(obj) |= FinalizerRunBit;

    /// <summary>Clears the "finalizer run" bit and registers the object again if it is not registered
    /// (its finalizer ran already, or it was dropped).</summary>
    public static void ReRegister(ulong obj)
    {
        *HeaderWord(obj) &= ~FinalizerRunBit;
        for (ulong i = 0; i < s_registeredCount; i++)
        {
            if (s_registered[i] == obj)
                return;
        }
        for (ulong i = s_readyHead; i < s_readyCount; i++)
        {
            if (s_ready[i] == obj)
                return;
        }
        Register(obj);
    }

    /// <summary>The ready queue as roots.</summary>
    public static void ScanReady<TVisitor>(ref TVisitor visitor) where TVisitor : struct, IRootVisitor
    {
        for (ulong i = s_readyHead; i < s_readyCount; i++)
            visitor.Visit(&s_ready[i], interior: false, pinned: false);
    }

    /// <summary>
    /// After marking: each registered object the marks say is dead moves to the ready queue (or is dropped
    /// when finalization was suppressed); then what the queued objects reach is marked. Returns how many were queued.
    /// </summary>
    public static ulong QueueUnreachable()
    {
        ulong kept = 0;
        ulong queued = 0;
        for (ulong i = 0; i < s_registeredCount; i++)
        {
            ulong obj = s_registered[i];
            if (!Marker.IsDead(obj))
            {
                s_registered[kept++] = obj;
                continue;
            }
            if ((*HeaderWord(obj) & FinalizerRunBit) != 0)
                continue;  // suppressed: it dies without its finalizer
            Append(ref s_ready, ref s_readyCount, ref s_readyCapacity, obj);
            queued++;
        }
        s_registeredCount = kept;
        s_queuedTotal += queued;
        // Resurrection for the collector: queued objects and all they reach stay until the finalizers ran.
        for (ulong i = s_readyCount - queued; i < s_readyCount; i++)
            Marker.MarkFrom(s_ready[i]);
        if (queued != 0)
        {
            Marker.MarkDependents();
            FinalizerThread.Signal();
        }
        return queued;
    }

    /// <summary>Before the finalizer thread runs (early boot, or a kernel without the scheduler): every queued
    /// finalizer, in queue order, on this thread. Not reentrant: a finalizer that collects leaves newly queued
    /// objects to this same loop. Once the finalizer thread exists it does nothing: the collection woke that thread.</summary>
    public static void RunPending()
    {
        if (s_running || FinalizerThread.IsRunning)
            return;
        s_running = true;
        while (RunNext())
        {
        }
        s_running = false;
    }

    /// <summary>Takes the next queued object off the queue and runs its finalizer (or drops it when its finalization was
    /// suppressed meanwhile); false when the queue is empty.</summary>
    public static bool RunNext()
    {
        object? target = TakeNext();
        if (target == null)
            return false;
        ulong obj = AddressOf(target);
        if ((*HeaderWord(obj) & FinalizerRunBit) != 0)
            *HeaderWord(obj) &= ~FinalizerRunBit;
        else
            Invoke(target);
        s_finishedTotal++;
        return true;
    }

    /// <summary>The head of the queue as a reference before it leaves the queue (a root), with interrupts off so
    /// no collection sees it in neither place.</summary>
    private static object? TakeNext()
    {
        ulong flags = InterruptFlag.SaveAndDisable();
        object? target = null;
        if (s_readyHead < s_readyCount)
        {
            target = AsObject(s_ready[s_readyHead]);
            s_ready[s_readyHead] = 0;
            s_readyHead++;
            if (s_readyHead == s_readyCount)
                s_readyHead = s_readyCount = 0;
        }
        InterruptFlag.Restore(flags);
        return target;
    }

    /// <summary>
    /// Calls the finalizer through the MethodTable's finalizer slot: after the fixed part (24 bytes), the
    /// vtable and interface map (8 bytes per entry), the type-manager and writable-data relative pointers
    /// (4 bytes each), the dispatch map's when the type has one, then a 32-bit relative pointer to the code (ILC's layout, which CoreLib's
    /// MethodTable.FinalizerCode reads the same way).
    /// </summary>
    private static void Invoke(object target)
    {
        ulong obj = AddressOf(target);
        ulong methodTable = *(ulong*)obj;
        ushort vtableSlots = *(ushort*)(methodTable + 16);
        ushort interfaces = *(ushort*)(methodTable + 18);
        ulong cell = methodTable + 24 + 8UL * vtableSlots + 8UL * interfaces + 4 + 4;
        if ((*(uint*)methodTable & HasDispatchMapFlag) != 0)
            cell += 4;
        ulong code = (ulong)((long)cell + *(int*)cell);
        ulong imageBase = Exceptions.KernelCode.Symbols.ImageBase;
        if (code < imageBase || code >= imageBase + (256UL << 20))
            Panic.Fail($"finalizer of the object at {Hex.Format(obj)} (MethodTable {Hex.Format(methodTable)}) is not code: {Hex.Format(code)}");
        FinalizersRun++;
        ((delegate*<object, void>)code)(target);
    }

    private static ulong AddressOf(object obj) => (ulong)Unsafe.As<object, nint>(ref obj);

    private static object AsObject(ulong address)
    {
        nint value = (nint)address;
        return Unsafe.As<nint, object>(ref value);
    }

    private const ulong InitialCapacity = 1024;

    private static void Append(ref ulong* array, ref ulong count, ref ulong capacity, ulong value) =>
        WordList.Push(ref array, ref count, ref capacity, value, InitialCapacity);
}
