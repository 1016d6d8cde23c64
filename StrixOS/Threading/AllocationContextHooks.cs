namespace StrixOS.Threading;

/// <summary>
/// Where the scheduler meets the collector's per-thread allocation contexts (the gc branch's contract:
/// <c>AllocationContext</c>, <c>AllocationContexts.Current</c>, <c>Register</c>, <c>Unregister</c> in
/// Runtime/Collector/AllocationContext.cs). Until that lands these are no-ops; each thread already reserves
/// <see cref="ThreadControl.AllocationContext"/> (alloc pointer and limit) for its context. At the merge:
/// <see cref="Created"/> registers the thread's context, <see cref="SwitchedTo"/> points Current at it (the
/// boot thread's is the contract's static storage), <see cref="Ended"/> unregisters it. All three run with
/// interrupts off.
/// </summary>
internal static unsafe class AllocationContextHooks
{
    public static void Created(ThreadControl* thread) { }

    public static void SwitchedTo(ThreadControl* thread, bool isBootThread) { }

    public static void Ended(ThreadControl* thread) { }
}
