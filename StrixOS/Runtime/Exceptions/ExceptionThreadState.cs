using System.Runtime.InteropServices;

namespace StrixOS.Runtime.Exceptions;

/// <summary>
/// One thread's exception-dispatch state: a thread-local variable of exceptions.asm (<c>StrixExceptionThreadState</c>,
/// in .tbss), so every thread's TLS block holds its own, zeroed when the thread is made, and the FS base the
/// scheduler switches with the thread selects it. Nothing has to be saved or swapped at a context switch, and the
/// boot thread has one from the first instruction of CoreLib's start-up, before any thread control block exists.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ExceptionThreadState
{
    /// <summary>The innermost active ExInfo of this thread's dispatches, 0 when none (the throw helpers link and
    /// the catch-funclet return unlinks them).</summary>
    public ulong ExInfoHead;
    /// <summary>Nesting of the stack-frame iterator on this thread: a CPU fault inside it is reported, not converted.</summary>
    public long UnwinderDepth;

    /// <summary>The running thread's state.</summary>
    public static unsafe ExceptionThreadState* Current => CurrentState();

    [DllImport("*", EntryPoint = "StrixCurrentExceptionState"), SuppressGCTransition]
    private static extern unsafe ExceptionThreadState* CurrentState();
}
