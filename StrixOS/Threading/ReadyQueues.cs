using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace StrixOS.Threading;

/// <summary>
/// The run queue by priority: one FIFO per <see cref="System.Threading.ThreadPriority"/> level (Lowest 0 .. Highest 4).
/// The next thread is the head whose level plus its waiting time counts most: each level is worth
/// <see cref="AgingNsPerLevel"/> of waiting. So among threads always ready, a higher level runs first and more
/// often (Highest against Lowest: about (4 x AgingNsPerLevel) / quantum turns to one), and a thread at any level
/// runs at the latest once it waited four levels' worth longer than the others: nothing starves.
/// Interrupts off is its lock (the scheduler's).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ReadyQueues
{
    public const int Levels = 5;
    public const int NormalLevel = 2;
    /// <summary>Waiting this long weighs as much as one priority level.</summary>
    public const ulong AgingNsPerLevel = 20_000_000;

    private WaitQueue _lowest, _belowNormal, _normal, _aboveNormal, _highest;

    public readonly bool IsEmpty => _lowest.IsEmpty && _belowNormal.IsEmpty && _normal.IsEmpty && _aboveNormal.IsEmpty && _highest.IsEmpty;

    [UnscopedRef]
    private ref WaitQueue Level(int level)
    {
        switch (level)
        {
            case 0: return ref _lowest;
            case 1: return ref _belowNormal;
            case 3: return ref _aboveNormal;
            case 4: return ref _highest;
            default: return ref _normal;
        }
    }

    public static int Clamp(int priority) => priority < 0 ? 0 : priority >= Levels ? Levels - 1 : priority;

    /// <summary>Queues <paramref name="thread"/> at its <see cref="ThreadControl.Priority"/>, stamped <paramref name="now"/>.</summary>
    public void Enqueue(ThreadControl* thread, ulong now)
    {
        thread->ReadySince = now;
        Level(Clamp(thread->Priority)).Enqueue(thread);
    }

    /// <summary>The thread to run next (null when empty): the best level-plus-waiting score among the heads.</summary>
    public ThreadControl* Dequeue(ulong now)
    {
        int best = -1;
        ulong bestScore = 0;
        for (int level = Levels - 1; level >= 0; level--)
        {
            ThreadControl* head = Level(level).Head;
            if (head == null)
                continue;
            ulong waited = now > head->ReadySince ? now - head->ReadySince : 0;
            ulong score = (ulong)level * AgingNsPerLevel + waited;
            if (best < 0 || score > bestScore)
            {
                best = level;
                bestScore = score;
            }
        }
        return best < 0 ? null : Level(best).Dequeue();
    }
}
