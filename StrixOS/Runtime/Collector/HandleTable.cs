using StrixOS.Diagnostics;
using StrixOS.Plugs;

namespace StrixOS.Runtime.Collector;

/// <summary>GC handle kinds, with the values CoreLib passes (GCHandleType; dependent is NativeAOT's 6).</summary>
internal enum HandleKind
{
    Weak = 0,
    WeakTrackResurrection = 1,
    Normal = 2,
    Pinned = 3,
    Dependent = 6,
}

/// <summary>
/// The GC handle table: handles live in chunks of fixed entries so the collector can enumerate
/// them as roots (strong, pinned), clear them (weak) or follow them (dependent). A handle is the
/// address of its entry's first word, which holds the reference: CoreLib reads and writes the
/// target through it directly. A dependent handle's secondary is the entry's second word. Chunks
/// come from the kernel heap and are kept; freed entries go on a free list.
/// CoreLib allocates and frees handles on any thread (GCHandle, WeakReference, DependentHandle), so the free list
/// and the count are changed with interrupts off, the kernel's lock on its one CPU (as the kernel heap and the
/// scheduler do): a thread switched out halfway through would otherwise hand one entry to two threads. The
/// collector's scans need no lock: it runs with every other thread stopped, and none can stop inside these.
/// </summary>
internal static unsafe class HandleTable
{
    private const int EntriesPerChunk = 255;

    private struct Entry
    {
        public ulong Target;
        public ulong Secondary;
        public ulong Kind;       // HandleKind, or FreeKind
        public Entry* NextFree;
    }

    private struct Chunk
    {
        public Chunk* Next;
        public ulong Used;
        // Entries follow, 32 bytes each.
    }

    private const ulong FreeKind = ulong.MaxValue;

    private static Chunk* s_chunks;
    private static Entry* s_free;
    private static uint s_live;

    public static uint LiveHandles => s_live;

    private static Entry* EntriesOf(Chunk* chunk) => (Entry*)(chunk + 1);

    public static ulong* Allocate(ulong target, HandleKind kind, ulong secondary = 0)
    {
        ulong flags = InterruptFlag.SaveAndDisable();
        if (s_free == null)
            AddChunk();
        Entry* entry = s_free;
        s_free = entry->NextFree;
        entry->Target = target;
        entry->Secondary = secondary;
        entry->Kind = (ulong)kind;
        entry->NextFree = null;
        s_live++;
        InterruptFlag.Restore(flags);
        return (ulong*)entry;
    }

    public static void Free(ulong* handle)
    {
        var entry = (Entry*)handle;
        ulong flags = InterruptFlag.SaveAndDisable();
        if (entry->Kind == FreeKind)
            Panic.Fail($"GC handle {Hex.Format((ulong)handle)} freed twice");
        entry->Target = 0;
        entry->Secondary = 0;
        entry->Kind = FreeKind;
        entry->NextFree = s_free;
        s_free = entry;
        s_live--;
        InterruptFlag.Restore(flags);
    }

    public static HandleKind KindOf(ulong* handle) => (HandleKind)((Entry*)handle)->Kind;

    /// <summary>Interrupts off (the chunk's memory comes from the kernel heap, which turns them off too).</summary>
    private static void AddChunk()
    {
        var chunk = (Chunk*)KernelHeap.Allocate((ulong)(sizeof(Chunk) + EntriesPerChunk * sizeof(Entry)));
        chunk->Next = s_chunks;
        chunk->Used = EntriesPerChunk;
        s_chunks = chunk;
        Entry* entries = EntriesOf(chunk);
        for (int i = EntriesPerChunk - 1; i >= 0; i--)
        {
            entries[i].Target = 0;
            entries[i].Secondary = 0;
            entries[i].Kind = FreeKind;
            entries[i].NextFree = s_free;
            s_free = &entries[i];
        }
    }

    /// <summary>
    /// Checks the table against its own bookkeeping (for tests): every entry is either in use or on the free list,
    /// exactly once, and the number in use is <see cref="LiveHandles"/>. False with what is wrong otherwise.
    /// </summary>
    public static bool CheckConsistency(out string problem)
    {
        ulong flags = InterruptFlag.SaveAndDisable();
        bool consistent = CheckConsistencyWithInterruptsOff(out problem);
        InterruptFlag.Restore(flags);
        return consistent;
    }

    private static bool CheckConsistencyWithInterruptsOff(out string problem)
    {
        ulong total = 0, inUse = 0;
        for (Chunk* chunk = s_chunks; chunk != null; chunk = chunk->Next)
        {
            Entry* entries = EntriesOf(chunk);
            for (int i = 0; i < EntriesPerChunk; i++)
            {
                if (entries[i].Kind != FreeKind)
                    inUse++;
            }
            total += EntriesPerChunk;
        }
        ulong free = 0;
        for (Entry* entry = s_free; entry != null; entry = entry->NextFree)
        {
            if (entry->Kind != FreeKind)
            {
                problem = $"the free list holds entry {Hex.Format((ulong)entry)}, which is in use (kind {entry->Kind})";
                return false;
            }
            if (++free > total)
            {
                problem = $"the free list is longer than the table's {total} entries (a loop)";
                return false;
            }
        }
        if (inUse != s_live || inUse + free != total)
        {
            problem = $"{inUse} entries in use and {free} on the free list of {total}, but {s_live} live handles counted";
            return false;
        }
        problem = "";
        return true;
    }

    /// <summary>Reports the targets of strong handles (normal and pinned): they keep objects alive.</summary>
    public static uint ScanStrong<TVisitor>(ref TVisitor visitor) where TVisitor : struct, IRootVisitor
    {
        uint reported = 0;
        for (Chunk* chunk = s_chunks; chunk != null; chunk = chunk->Next)
        {
            Entry* entries = EntriesOf(chunk);
            for (int i = 0; i < EntriesPerChunk; i++)
            {
                ulong kind = entries[i].Kind;
                if (kind != (ulong)HandleKind.Normal && kind != (ulong)HandleKind.Pinned)
                    continue;
                visitor.Visit(&entries[i].Target, interior: false, pinned: kind == (ulong)HandleKind.Pinned);
                reported++;
            }
        }
        return reported;
    }

    /// <summary>Visits every live handle of one kind (weak handles to clear, dependent ones to follow).</summary>
    public static uint ScanKind<TVisitor>(HandleKind kind, ref TVisitor visitor) where TVisitor : struct, IRootVisitor
    {
        uint visited = 0;
        for (Chunk* chunk = s_chunks; chunk != null; chunk = chunk->Next)
        {
            Entry* entries = EntriesOf(chunk);
            for (int i = 0; i < EntriesPerChunk; i++)
            {
                if (entries[i].Kind != (ulong)kind)
                    continue;
                visitor.Visit(&entries[i].Target, interior: false, pinned: false);
                visited++;
            }
        }
        return visited;
    }
}
