namespace StrixOS.Memory.PhysicalMemory;

/// <summary>Why <see cref="BuddyFrameAllocator.HandOver"/> (or <see cref="BuddyFrameAllocator.FromRegions"/>) could not set up.</summary>
public enum HandOverError : byte
{
    /// <summary>A Usable region is empty, not 4 KiB aligned, above 2^52, or not sorted and disjoint: pass the
    /// normalised map (<see cref="MemoryMap.Regions"/>).</summary>
    RegionsNotNormalized,
    /// <summary>More frames are said to be handed out than the regions hold.</summary>
    HandedOutExceedsTotal,
    /// <summary>No Usable region has enough free frames in a row for the bitmap.</summary>
    NoRoomForMetadata,
}

public static class HandOverErrorExtensions
{
    /// <summary>A sentence for a panic message (enum names are not available in the kernel: no reflection).</summary>
    public static string Describe(this HandOverError error) => error switch
    {
        HandOverError.RegionsNotNormalized => "the Usable regions are not sorted, disjoint and 4 KiB aligned",
        HandOverError.HandedOutExceedsTotal => "more frames handed out than the regions hold",
        HandOverError.NoRoomForMetadata => "no Usable region has room for the frame bitmap",
        _ => "unknown hand-over error",
    };
}
