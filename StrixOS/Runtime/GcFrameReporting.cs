using System.Runtime;

namespace StrixOS.Runtime;

/// <summary>
/// Reflection's dynamic invoke registers the argument buffer it builds on the stack so that a collection
/// in the middle of the call would see (and update) the references in it. There is no collector yet,
/// so there is nothing to tell: registration is accepted and forgotten. A collector (issue 13) takes
/// these over and keeps a per-thread list of the frames.
/// </summary>
internal static unsafe class GcFrameReporting
{
    [RuntimeExport("RhRegisterForGCReporting")]
    private static void RegisterForGCReporting(void* frame) { }

    [RuntimeExport("RhUnregisterForGCReporting")]
    private static void UnregisterForGCReporting(void* frame) { }
}
