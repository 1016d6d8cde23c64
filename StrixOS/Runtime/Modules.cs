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
        public ReadyToRunHeader* Header;
        public IntPtr* ClasslibFunctions;
        public int ClasslibFunctionCount;
    }

    [RuntimeExport("RhpRegisterOsModule")]
    private static IntPtr RegisterOsModule(IntPtr osModule) => (IntPtr)1;

    [RuntimeExport("RhpCreateTypeManager")]
    private static IntPtr CreateTypeManager(IntPtr osModule, ReadyToRunHeader* header, IntPtr* classlibFunctions, int count)
    {
        if (header->Signature != ReadyToRunSignature)
            Panic.Fail($"module header at {Hex.Format((ulong)header)} has no ReadyToRun signature");
        var manager = (TypeManager*)KernelHeap.Allocate((ulong)sizeof(TypeManager));
        manager->Header = header;
        manager->ClasslibFunctions = classlibFunctions;
        manager->ClasslibFunctionCount = count;
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

    [RuntimeExport("RhRegisterInlinedThreadStaticRoot")]
    private static void RegisterInlinedThreadStaticRoot(void* root, IntPtr typeManager) { }

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
