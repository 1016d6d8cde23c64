using System.Runtime.CompilerServices;
using StrixOS.Diagnostics;

namespace StrixOS.Runtime.Collector;

/// <summary>
/// Finalization as .NET does it. Every object of a type with a finalizer is registered when it is
/// allocated. A collection that finds a registered object unreachable moves it to the ready queue,
/// which is a root: the object and everything it reaches survive that collection (so weak handles
/// that track resurrection keep them). The finalizers then run on the kernel thread at a safe point
/// (after the collection, before the allocation or GC call that caused it returns), in the order the
/// objects were registered; an object a finalizer stores somewhere lives on (resurrection) and is not
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

    public static ulong RegisteredCount => s_registeredCount;
    public static ulong PendingCount => s_readyCount - s_readyHead;
    /// <summary>Finalizers run since boot.</summary>
    public static ulong FinalizersRun { get; private set; }

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
        // Resurrection for the collector: queued objects and all they reach stay until the finalizers ran.
        for (ulong i = s_readyCount - queued; i < s_readyCount; i++)
            Marker.MarkFrom(s_ready[i]);
        if (queued != 0)
            Marker.MarkDependents();
        return queued;
    }

    /// <summary>Runs every queued finalizer, in queue order. Not reentrant: a finalizer that collects
    /// leaves newly queued objects to this same loop.</summary>
    public static void RunPending()
    {
        if (s_running)
            return;
        s_running = true;
        while (s_readyHead < s_readyCount)
        {
            ulong obj = s_ready[s_readyHead];
            s_ready[s_readyHead] = 0;
            s_readyHead++;
            if (s_readyHead == s_readyCount)
                s_readyHead = s_readyCount = 0;
            if ((*HeaderWord(obj) & FinalizerRunBit) != 0)
            {
                *HeaderWord(obj) &= ~FinalizerRunBit;
                continue;
            }
            Invoke(obj);
        }
        s_running = false;
    }

    /// <summary>
    /// Calls the finalizer through the MethodTable's finalizer slot: after the fixed part (24 bytes), the
    /// vtable and interface map (8 bytes per entry), the type-manager and writable-data relative pointers
    /// (4 bytes each), the dispatch map's when the type has one, then a 32-bit relative pointer to the code (ILC's layout, which CoreLib's
    /// MethodTable.FinalizerCode reads the same way).
    /// </summary>
    private static void Invoke(ulong obj)
    {
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
        object target = AsObject(obj);
        ((delegate*<object, void>)code)(target);
    }

    private static object AsObject(ulong address)
    {
        nint value = (nint)address;
        return Unsafe.As<nint, object>(ref value);
    }

    private const ulong InitialCapacity = 1024;

    private static void Append(ref ulong* array, ref ulong count, ref ulong capacity, ulong value) =>
        WordList.Push(ref array, ref count, ref capacity, value, InitialCapacity);
}
