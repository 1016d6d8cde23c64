namespace StrixOS.Runtime.Collector;

internal struct StaticScanResult
{
    public uint StaticBases;
    public uint ThreadStaticRoots;
}

/// <summary>
/// Roots outside the stack that the modules own: each type's GC static base (an object CoreLib's
/// InitializeModules allocated and stored in a cell of the image's data, found through the module's
/// GC static region) and, for every thread, the thread-local cells holding inlined thread-static storage, registered by
/// CoreLib through RhRegisterInlinedThreadStaticRoot, and the root of its other thread statics. Cells still marked uninitialized (low bit set:
/// they hold the block's MethodTable, not an object) are skipped.
/// </summary>
internal static unsafe class StaticRootScanner
{
    private const ulong UninitializedBit = 1;

    public static StaticScanResult Scan<TVisitor>(ref TVisitor visitor) where TVisitor : struct, IRootVisitor
    {
        var result = new StaticScanResult();
        for (int module = 0; module < Modules.Count; module++)
        {
            byte* region = Modules.Section(module, Modules.GcStaticRegionSection, out int length);
            for (int offset = 0; region != null && offset + 4 <= length; offset += 4)
            {
                int* entry = (int*)(region + offset);
                ulong* cell = (ulong*)((byte*)entry + *entry);
                if ((*cell & UninitializedBit) != 0)
                    continue;
                visitor.Visit(cell, interior: false, pinned: false);
                result.StaticBases++;
            }
        }
        result.ThreadStaticRoots = global::StrixOS.Threading.ThreadRoots.ScanThreadStatics(ref visitor);
        return result;
    }
}
