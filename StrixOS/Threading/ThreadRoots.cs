using StrixOS.Runtime.Collector;

namespace StrixOS.Threading;

/// <summary>The GC roots every thread owns outside its stack: its thread-static storage roots.</summary>
internal static unsafe class ThreadRoots
{
    /// <summary>Visits, for every live thread, the root of its non-inlined thread statics and its inlined thread-static cells.</summary>
    public static uint ScanThreadStatics<TVisitor>(ref TVisitor visitor) where TVisitor : struct, IRootVisitor
    {
        uint roots = 0;
        for (ThreadControl* thread = Scheduler.AllThreads; thread != null; thread = thread->AllNext)
        {
            visitor.Visit(&thread->ThreadStaticStorage, interior: false, pinned: false);
            roots++;
            for (int i = 0; i < thread->InlinedThreadStaticRootCount; i++)
            {
                visitor.Visit((ulong*)thread->InlinedThreadStaticRoots[i], interior: false, pinned: false);
                roots++;
            }
        }
        return roots;
    }
}
