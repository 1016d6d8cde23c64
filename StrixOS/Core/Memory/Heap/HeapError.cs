namespace StrixOS.Memory.Heap;

/// <summary>Why a heap operation refused. A refused operation changed nothing.</summary>
public enum HeapError : byte
{
    /// <summary>The request does not fit: the backing could not grow the heap, or its range is full.</summary>
    OutOfMemory,
    /// <summary>The address is not in the heap's mapped data range (a foreign pointer).</summary>
    NotInHeap,
    /// <summary>The address is inside the heap but not the start of a block.</summary>
    NotBlockStart,
    /// <summary>The block is not allocated: freed already (a double free) or never handed out.</summary>
    DoubleFree,
    /// <summary>The heap's range is not 4 KiB aligned, not canonical, crosses a half, or is too small or too large.</summary>
    InvalidRange,
}

public static class HeapErrorExtensions
{
    /// <summary>A sentence for a panic message (enum names are not available in the kernel: no reflection).</summary>
    public static string Describe(this HeapError error) => error switch
    {
        HeapError.OutOfMemory => "out of memory",
        HeapError.NotInHeap => "the address is not in the heap",
        HeapError.NotBlockStart => "the address is not the start of a heap block",
        HeapError.DoubleFree => "the block is not allocated (double free)",
        HeapError.InvalidRange => "invalid heap range",
        _ => "unknown heap error",
    };
}
