using StrixOS.Memory.Heap;
using StrixOS.Memory.PhysicalMemory;

namespace StrixOS.Memory;

/// <summary>The step of <see cref="MemorySystem.Start"/> that refused.</summary>
public enum MemoryStartStep : byte
{
    PageTable,
    FrameHandOver,
    AddressSpaces,
    Heap,
}

/// <summary>Why <see cref="MemorySystem.Start"/> refused: the step, and that step's own error.</summary>
public readonly struct MemorySystemError
{
    private MemorySystemError(MemoryStartStep step, InitError pageTable = default, HandOverError handOver = default,
        AddressSpaceError addressSpaces = default, HeapError heap = default)
    {
        Step = step;
        PageTable = pageTable;
        HandOver = handOver;
        AddressSpaces = addressSpaces;
        Heap = heap;
    }

    public MemoryStartStep Step { get; }

    /// <summary>Meaningful when <see cref="Step"/> is <see cref="MemoryStartStep.PageTable"/>.</summary>
    public InitError PageTable { get; }

    /// <summary>Meaningful when <see cref="Step"/> is <see cref="MemoryStartStep.FrameHandOver"/>.</summary>
    public HandOverError HandOver { get; }

    /// <summary>Meaningful when <see cref="Step"/> is <see cref="MemoryStartStep.AddressSpaces"/>.</summary>
    public AddressSpaceError AddressSpaces { get; }

    /// <summary>Meaningful when <see cref="Step"/> is <see cref="MemoryStartStep.Heap"/>.</summary>
    public HeapError Heap { get; }

    public static MemorySystemError Of(InitError error) => new(MemoryStartStep.PageTable, pageTable: error);
    public static MemorySystemError Of(HandOverError error) => new(MemoryStartStep.FrameHandOver, handOver: error);
    public static MemorySystemError Of(AddressSpaceError error) => new(MemoryStartStep.AddressSpaces, addressSpaces: error);
    public static MemorySystemError Of(HeapError error) => new(MemoryStartStep.Heap, heap: error);

    /// <summary>A sentence for a panic message, naming the step and its error.</summary>
    public string Describe() => Step switch
    {
        MemoryStartStep.PageTable => "page tables: " + PageTable.Describe(),
        MemoryStartStep.FrameHandOver => "the frame allocator hand-over failed: " + HandOver.Describe(),
        MemoryStartStep.AddressSpaces => "address spaces: " + AddressSpaces.Describe(),
        MemoryStartStep.Heap => "kernel heap: " + Heap.Describe(),
        _ => "an unknown memory start-up step failed",
    };
}
