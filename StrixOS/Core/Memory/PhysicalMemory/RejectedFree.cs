namespace StrixOS.Memory.PhysicalMemory;

/// <summary>A frame <see cref="BuddyFrameAllocator.DeallocateFrame"/> refused, and why.</summary>
public readonly struct RejectedFree
{
    public RejectedFree(PhysFrame frame, FrameFreeError error)
    {
        Frame = frame;
        Error = error;
    }

    public PhysFrame Frame { get; }
    public FrameFreeError Error { get; }

    public override string ToString() => Frame.ToString() + ": " + Error.Describe();
}
