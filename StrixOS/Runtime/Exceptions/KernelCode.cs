using System.Runtime.InteropServices;
using StrixOS.Runtime.Unwinding;

namespace StrixOS.Runtime.Exceptions;

/// <summary>
/// The kernel's own compiled code as the unwinder sees it: the FDE index over the linked .eh_frame
/// (built on first use), a cache of what was decoded per code address, and the addresses
/// exceptions.asm exports. Code with an FDE is managed code
/// (ILC describes every method and funclet); the assembly routines have none.
/// </summary>
internal static unsafe class KernelCode
{
    private static ExceptionSymbols s_symbols;
    private static FrameDescriptionIndex? s_index;

    [DllImport("*", EntryPoint = "StrixGetExceptionSymbols"), SuppressGCTransition]
    private static extern void GetSymbols(ExceptionSymbols* symbols);

    public static ref readonly ExceptionSymbols Symbols
    {
        get
        {
            if (s_symbols.EhFrameStart == 0)
            {
                fixed (ExceptionSymbols* symbols = &s_symbols)
                    GetSymbols(symbols);
            }
            return ref s_symbols;
        }
    }

    public static FrameDescriptionIndex Index
    {
        get
        {
            if (s_index == null)
            {
                ref readonly ExceptionSymbols symbols = ref Symbols;
                var section = new EhFrameSection(ImageView.Identity, symbols.EhFrameStart, symbols.EhFrameEnd);
                FrameDescriptionIndex? index = FrameDescriptionIndex.Build(section);
                if (index == null)
                    Diagnostics.Panic.Fail("the kernel's .eh_frame does not decode: exceptions cannot be dispatched");
                s_index = index;
            }
            return s_index;
        }
    }

    /// <summary>Makes the FDE index and the decode cache now (they are objects): the collector walks stacks where nothing may allocate.</summary>
    public static void PrepareForStackWalks()
    {
        _ = Index;
        if (UseUnwindCache)
            _ = UnwindCache;
    }

    /// <summary>The running thread's innermost active ExInfo (0: no dispatch on this thread).</summary>
    public static ulong ActiveExInfo => ExceptionThreadState.Current->ExInfoHead;

    public static bool IsManagedCode(ulong address) => Index.TryFind(address, out _);

    /// <summary>The FDE and method record of the code at <paramref name="pc"/>.</summary>
    public static bool TryFindMethod(ulong pc, out FrameDescription fde, out ManagedMethodInfo method)
    {
        bool found = TryDecode(pc, out DecodedFrame frame);
        fde = frame.Code;
        method = frame.Method;
        return found;
    }

    /// <summary>
    /// Off only to measure what the cache saves (the exceptions benchmark): every lookup then
    /// bisects the FDE index and decodes the FDE, LSDA and call-frame instructions again.
    /// </summary>
    public static bool UseUnwindCache = true;

    // 1024 frames (about 300 KiB of heap): bigger than any stack walked so far, so a walk's own
    // frames do not evict each other.
    private const int UnwindCacheLog2Capacity = 10;
    // An exception thrown before the kernel heap exists (early boot) would take those 300 KiB from the early heap,
    // which is 256 KiB (boot.asm): it gets a 32-frame cache instead (about 10 KiB, never freed), replaced by the
    // full one at the first lookup once the kernel heap serves objects.
    private const int EarlyUnwindCacheLog2Capacity = 5;
    private static UnwindCache? s_unwindCache;
    private static bool s_unwindCacheIsEarly;

    public static UnwindCache UnwindCache
    {
        get
        {
            UnwindCache? cache = s_unwindCache;
            if (cache != null && !(s_unwindCacheIsEarly && KernelHeap.ObjectHeapReady))
                return cache;
            bool early = !KernelHeap.ObjectHeapReady;
            cache = new UnwindCache(early ? EarlyUnwindCacheLog2Capacity : UnwindCacheLog2Capacity);
            s_unwindCacheIsEarly = early;
            s_unwindCache = cache;
            return cache;
        }
    }

    /// <summary>FDE, method record and CFI row for the code address <paramref name="pc"/>; false when it is not managed code.</summary>
    public static bool TryDecode(ulong pc, out DecodedFrame frame)
    {
        if (UseUnwindCache && TryGetCached(pc, out frame))
            return true;
        frame = default;
        if (!Index.TryFind(pc, out frame.Code))
            return false;
        frame.Pc = pc;
        if (frame.Code.Lsda == 0 || !ManagedMethodInfo.TryRead(ImageView.Identity, frame.Code.PcStart, frame.Code.Lsda, out frame.Method))
        {
            frame.Method = default;
            frame.Method.CodeStart = frame.Method.MethodStart = frame.Code.PcStart;
        }
        frame.HasRow = CallFrameInstructions.TryComputeRow(ImageView.Identity, frame.Code, pc, out frame.Row);
        if (UseUnwindCache)
            PutCached(frame);
        return true;
    }

    // The cache is shared by every thread's walks, and a slot is a few hundred bytes copied field by field: a thread
    // preempted halfway through writing one would leave a slot whose address matches but whose row is half another
    // frame's. Interrupts off is the kernel's lock on one CPU, and it cannot be held by a thread the collector stops.
    private static bool TryGetCached(ulong pc, out DecodedFrame frame)
    {
        UnwindCache cache = UnwindCache;
        ulong flags = Plugs.InterruptFlag.SaveAndDisable();
        bool found = cache.TryGet(pc, out frame);
        Plugs.InterruptFlag.Restore(flags);
        return found;
    }

    private static void PutCached(in DecodedFrame frame)
    {
        UnwindCache cache = UnwindCache;
        ulong flags = Plugs.InterruptFlag.SaveAndDisable();
        cache.Put(frame);
        Plugs.InterruptFlag.Restore(flags);
    }
}
