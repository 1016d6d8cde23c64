using System.Runtime.CompilerServices;
using System.Threading;
using StrixOS.Plugs;
using StrixOS.Runtime.Collector;

namespace StrixOS.Threading;

/// <summary>
/// <c>Thread.Priority</c> applied by the scheduler. CoreLib's Unix thread code keeps the priority in the
/// Thread object's private <c>_priority</c> field and tells the OS nothing (its SetPriorityLive does nothing),
/// so the kernel reads that field: each kernel thread made for a Thread keeps a weak GC handle to it, and the
/// scheduler reads the field whenever the thread becomes ready (a change takes effect at its next turn).
/// Threads without a Thread object (boot, idle, finalizer) keep the level the kernel gave them.
/// </summary>
internal static unsafe class ThreadPriorities
{
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_priority")]
    private static extern ref ThreadPriority PriorityField(Thread thread);

    /// <summary>A weak handle to the Thread behind SystemNative_CreateThread's argument (CoreLib passes a
    /// GCHandle to the Thread it starts), or null when the argument holds no Thread.</summary>
    public static ulong* WeakHandleFor(nint threadHandleArgument)
    {
        if (threadHandleArgument == 0)
            return null;
        object? target = System.Runtime.InteropServices.GCHandle.FromIntPtr(threadHandleArgument).Target;
        if (target is not Thread thread)
            return null;
        return HandleTable.Allocate((ulong)Unsafe.As<Thread, nint>(ref thread), HandleKind.Weak);
    }

    /// <summary>Interrupts off: <see cref="ThreadControl.Priority"/> from the thread's Thread object, if it still has one.</summary>
    public static void Refresh(ThreadControl* thread)
    {
        ulong* handle = thread->ThreadObject;
        if (handle == null)
            return;
        nint target = (nint)(*handle);
        if (target == 0)
            return;
        Thread managed = Unsafe.As<nint, Thread>(ref target);
        thread->Priority = ReadyQueues.Clamp((int)PriorityField(managed));
    }

    /// <summary>The thread is ending: its handle goes back.</summary>
    public static void Detach(ThreadControl* thread)
    {
        ulong flags = InterruptFlag.SaveAndDisable();
        if (thread->ThreadObject != null)
            HandleTable.Free(thread->ThreadObject);
        thread->ThreadObject = null;
        InterruptFlag.Restore(flags);
    }
}
