namespace StrixOS.Memory;

/// <summary>Takes back 4 KiB frames that nothing uses any more.</summary>
public interface IFrameDeallocator
{
    /// <summary>Returns <paramref name="frame"/>; the caller guarantees nothing still maps or reads it.</summary>
    void DeallocateFrame(PhysFrame frame);
}
