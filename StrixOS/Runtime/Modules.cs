using System;
using System.Runtime;
using StrixOS.Diagnostics;

namespace StrixOS.Runtime;

/// <summary>
/// Module start-up services CoreLib's InitializeModules calls: the ReadyToRun header of each
/// module (from the __modules section) becomes a type manager whose sections can be looked up.
/// </summary>
internal static unsafe class Modules
{
    private const uint ReadyToRunSignature = 0x00525452; // "RTR"

    /// <summary>ReadyToRun header as ILC emits it: signature, version, flags, section count, row size; rows follow.</summary>
    private readonly struct ReadyToRunHeader(uint signature, ushort major, ushort minor, uint flags, ushort sections, byte entrySize, byte entryType)
    {
        public readonly uint Signature = signature;
        public readonly ushort MajorVersion = major, MinorVersion = minor;
        public readonly uint Flags = flags;
        public readonly ushort NumberOfSections = sections;
        public readonly byte EntrySize = entrySize, EntryType = entryType;
    }

    private readonly struct ModuleInfoRow(int sectionId, int flags, byte* start, byte* end)
    {
        public readonly int SectionId = sectionId;
        public readonly int Flags = flags;
        public readonly byte* Start = start;
        public readonly byte* End = end;
    }

    private struct TypeManager
    {
        // The first two fields are the layout CoreLib reads through TypeManagerHandle (OsModuleBase,
        // ReadyToRunHeader): StackTraceMetadata keys its method table by OsModuleBase.
        public IntPtr OsModule;
        public ReadyToRunHeader* Header;
        public IntPtr* ClasslibFunctions;
        public int ClasslibFunctionCount;
    }

    /// <summary>ReadyToRunSectionType.GCStaticRegion: 32-bit relative pointers to each type's GC static base cell.</summary>
    public const int GcStaticRegionSection = 201;
    private const int MaxModules = 8;
    // Fixed tables, not managed arrays: the collector reads them and must not depend on the heap.
    private static TypeManager* s_modules0, s_modules1, s_modules2, s_modules3, s_modules4, s_modules5, s_modules6, s_modules7;
    private static int s_moduleCount;

    public static int Count => s_moduleCount;

    private static ref TypeManager* ModuleAt(int index)
    {
        switch (index)
        {
            case 0: return ref s_modules0;
            case 1: return ref s_modules1;
            case 2: return ref s_modules2;
            case 3: return ref s_modules3;
            case 4: return ref s_modules4;
            case 5: return ref s_modules5;
            case 6: return ref s_modules6;
            default: return ref s_modules7;
        }
    }

    /// <summary>A section of module <paramref name="index"/> (in creation order), or null.</summary>
    public static byte* Section(int index, int sectionId, out int length)
    {
        TypeManager* manager = ModuleAt(index);
        int found;
        byte* start = GetModuleSection(&manager, sectionId, &found);
        length = found;
        return start;
    }

    /// <summary>The thread-local cells CoreLib registered as roots of its inlined thread statics.</summary>

    [RuntimeExport("RhpRegisterOsModule")]
    private static IntPtr RegisterOsModule(IntPtr osModule) => (IntPtr)1;

    [RuntimeExport("RhpCreateTypeManager")]
    private static IntPtr CreateTypeManager(IntPtr osModule, ReadyToRunHeader* header, IntPtr* classlibFunctions, int count)
    {
        if (header->Signature != ReadyToRunSignature)
            Panic.Fail($"module header at {Hex.Format((ulong)header)} has no ReadyToRun signature");
        var manager = (TypeManager*)KernelHeap.Allocate((ulong)sizeof(TypeManager));
        manager->OsModule = osModule;
        manager->Header = header;
        manager->ClasslibFunctions = classlibFunctions;
        manager->ClasslibFunctionCount = count;
        if (s_moduleCount == MaxModules)
            Panic.Fail($"more than {MaxModules} managed modules: the GC's module table is full");
        ModuleAt(s_moduleCount++) = manager;
        return (IntPtr)manager;
    }

    [RuntimeExport("RhpGetModuleSection")]
    private static byte* GetModuleSection(TypeManager** handle, int sectionId, int* length)
    {
        ReadyToRunHeader* header = (*handle)->Header;
        ModuleInfoRow* row = (ModuleInfoRow*)(header + 1);
        for (int i = 0; i < header->NumberOfSections; i++, row = (ModuleInfoRow*)((byte*)row + header->EntrySize))
        {
            if (row->SectionId == sectionId)
            {
                *length = (int)(row->End - row->Start);
                return row->Start;
            }
        }
        *length = 0;
        return null;
    }

    [RuntimeExport("RhGetKnobValues")]
    private static uint GetKnobValues(byte*** keys, byte*** values)
    {
        *keys = null;
        *values = null;
        return 0;
    }

    // Frozen segments hold preallocated objects (string literals); there is no GC to tell.
    [RuntimeExport("RhRegisterFrozenSegment")]
    private static IntPtr RegisterFrozenSegment(void* start, nuint allocated, nuint committed, nuint reserved) => (IntPtr)start;

    [RuntimeExport("RhUpdateFrozenSegment")]
    private static void UpdateFrozenSegment(IntPtr segment, void* allocated, void* committed) { }

    /// <summary>
    /// CoreLib allocated a module's inlined thread-static storage and stored it in the thread-local
    /// cell <paramref name="root"/> of the running thread: the cell is a GC root of that thread from now on
    /// (one cell per module per thread; the scheduler drops them with the thread's TLS block).
    /// </summary>
    [RuntimeExport("RhRegisterInlinedThreadStaticRoot")]
    private static void RegisterInlinedThreadStaticRoot(void* root, IntPtr typeManager)
    {
        global::StrixOS.Threading.ThreadControl* thread = global::StrixOS.Threading.Scheduler.Current;
        if (thread->InlinedThreadStaticRootCount == global::StrixOS.Threading.ThreadControl.MaxInlinedThreadStaticRoots)
            Panic.Fail("too many thread-static roots for one thread");
        thread->InlinedThreadStaticRoots[thread->InlinedThreadStaticRootCount++] = (ulong)root;
    }

    /// <summary>Read-only blobs (e.g. struct marshalling data for Marshal.SizeOf) are module sections 300 + id.</summary>
    [RuntimeExport("RhFindBlob")]
    private static bool FindBlob(TypeManager** handle, uint blobId, byte** blob, uint* length)
    {
        const int ReadonlyBlobRegionStart = 300, ReadonlyBlobRegionEnd = 399;
        int section = ReadonlyBlobRegionStart + (int)blobId;
        if (section > ReadonlyBlobRegionEnd)
        {
            *blob = null;
            *length = 0;
            return false;
        }
        int size;
        *blob = GetModuleSection(handle, section, &size);
        *length = (uint)size;
        return *blob != null;
    }
}
