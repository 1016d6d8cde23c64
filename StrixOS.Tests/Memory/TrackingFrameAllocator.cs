using System.Collections.Generic;
using StrixOS.Memory;

namespace StrixOS.Tests.Memory;

/// <summary>
/// A test allocator over a pool of 4 KiB frames that knows who owns what: it hands out only free frames,
/// takes back only frames it handed out, and records any violation instead of hiding it.
/// </summary>
public sealed class TrackingFrameAllocator : IFrameStore
{
    private readonly Stack<ulong> _free = new();
    private readonly HashSet<ulong> _outstanding = new();

    /// <summary>A pool of <paramref name="frameCount"/> frames from <paramref name="poolStart"/>; lowest handed out first.</summary>
    public TrackingFrameAllocator(ulong poolStart, int frameCount)
    {
        PoolStart = poolStart;
        PoolFrames = frameCount;
        for (int i = frameCount - 1; i >= 0; i--)
            _free.Push(poolStart + (ulong)i * 4096);
    }

    public ulong PoolStart { get; }
    public int PoolFrames { get; }
    public ulong PoolBytes => (ulong)PoolFrames * 4096;

    public int FreeCount => _free.Count;
    public IReadOnlyCollection<ulong> Outstanding => _outstanding;
    public List<string> Violations { get; } = new();
    public int AllocationCalls { get; private set; }

    public Result<PhysFrame, AllocationError> AllocateFrame()
    {
        AllocationCalls++;
        if (_free.Count == 0)
            return AllocationError.OutOfFrames;
        ulong frame = _free.Pop();
        if (!_outstanding.Add(frame))
            Violations.Add($"frame 0x{frame:X} handed out twice");
        return PhysFrame.TryFromStartAddress(PhysAddr.TryNew(frame).Value).Value;
    }

    public bool CanAllocate(ulong count) => count <= (ulong)_free.Count;

    public void DeallocateFrame(PhysFrame frame)
    {
        ulong address = frame.StartAddress.Value;
        if (frame.Size != PageSize.Size4KiB)
            Violations.Add($"{frame} returned: not a 4 KiB frame");
        else if (!_outstanding.Remove(address))
            Violations.Add($"{frame} returned but not handed out (double free or foreign frame)");
        else
            _free.Push(address);
    }

    /// <summary>Takes frames until only <paramref name="keep"/> are left, simulating a nearly full memory.</summary>
    public void LeaveOnly(int keep)
    {
        while (_free.Count > keep)
            _ = AllocateFrame();
    }
}
