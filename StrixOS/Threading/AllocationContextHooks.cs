using StrixOS.Runtime.Collector;

namespace StrixOS.Threading;

/// <summary>
/// Where the scheduler meets the collector's per-thread allocation contexts
/// (<see cref="AllocationContexts"/>): each thread bump-allocates in the two words
/// <see cref="ThreadControl.AllocationContext"/> reserves, the collector retires every registered context
/// before it marks, and <see cref="AllocationContexts.Current"/> follows the running thread. All three run
/// with interrupts off.
/// </summary>
internal static unsafe class AllocationContextHooks
{
    private static AllocationContext* ContextOf(ThreadControl* thread) => (AllocationContext*)thread->AllocationContext;

    /// <summary>A new thread starts with an empty context (its first allocation takes a chunk).</summary>
    public static void Created(ThreadControl* thread)
    {
        AllocationContext* context = ContextOf(thread);
        context->Pointer = null;
        context->Limit = null;
        AllocationContexts.Register(context);
    }

    /// <summary>The boot thread keeps the context it allocated in before the scheduler started.</summary>
    public static void SwitchedTo(ThreadControl* thread, bool isBootThread) =>
        AllocationContexts.Current = isBootThread ? AllocationContexts.Boot : ContextOf(thread);

    /// <summary>An exiting thread's unused chunk goes back to the heap before its control block is freed.</summary>
    public static void Ended(ThreadControl* thread) => AllocationContexts.Unregister(ContextOf(thread));
}
