using System;
using System.Runtime;

namespace StrixOS.Runtime;

/// <summary>
/// Transitions between managed and native code. They exist so a GC can find every thread's
/// managed frames; with one CPU, no preemption and no collector, there is nothing to record.
/// </summary>
internal static unsafe class Transitions
{
    [RuntimeExport("RhpPInvoke")]
    private static void PInvoke(void* frame) { }

    [RuntimeExport("RhpPInvokeReturn")]
    private static void PInvokeReturn(void* frame) { }

    [RuntimeExport("RhpReversePInvoke")]
    private static void ReversePInvoke(void* frame) { }

    [RuntimeExport("RhpReversePInvokeReturn")]
    private static void ReversePInvokeReturn(void* frame) { }

    [RuntimeExport("RhpGcPoll")]
    private static void GcPoll() { }
}
