using StrixOS.Boot;
using StrixOS.Memory;
using StrixOS.Memory.Heap;
using StrixOS.Memory.PhysicalMemory;

namespace StrixOS;

/// <summary>
/// Your kernel: derive from this class, as in Cosmos. StrixOS boots the machine (serial console,
/// CPU tables, boot information, memory), then calls <see cref="BeforeRun"/> once and
/// <see cref="Run"/> again and again until <see cref="Stop"/>. Name the class in your project
/// file (<c>&lt;StrixKernelClass&gt;MyApp.MyKernel&lt;/StrixKernelClass&gt;</c>) and Cosmos.targets
/// generates the entry point. See docs/getting-started.md.
/// </summary>
public abstract class Kernel
{
    internal bool StopRequested { get; private set; }
    internal bool StopSucceeded { get; private set; }

    /// <summary>What the boot loader told the kernel: memory map, command line, modules.</summary>
    public BootInfo BootInfo { get; internal set; } = null!;

    /// <summary>The kernel command line (boot loader's plus QEMU fw_cfg's).</summary>
    public CommandLine CommandLine { get; internal set; } = null!;

    /// <summary>The active page tables, reached through the offset map (PHYS_MEM_OFFSET).</summary>
    public OffsetPageTable PageTable { get; internal set; } = null!;

    /// <summary>Physical frames from the Usable regions of the memory map: allocate and free.</summary>
    public BuddyFrameAllocator Frames { get; internal set; } = null!;

    /// <summary>Per-process page tables sharing the kernel half.</summary>
    public AddressSpaceManager AddressSpaces { get; internal set; } = null!;

    /// <summary>The kernel heap behind `new` (mapped on demand at KernelHeapLayout.Start).</summary>
    public HeapAllocator Heap { get; internal set; } = null!;

    /// <summary>Runs once, after the machine is set up.</summary>
    protected virtual void BeforeRun() { }

    /// <summary>Runs in a loop until <see cref="Stop"/> is called.</summary>
    protected abstract void Run();

    /// <summary>Ends the kernel: QEMU's exit device gives success (33) or failure (35); without it, success
    /// powers the machine off through ACPI and failure halts with the report on the screen.</summary>
    protected void Stop(bool success = true)
    {
        StopRequested = true;
        StopSucceeded = success;
    }

    internal void RunBeforeRun() => BeforeRun();
    internal void RunOnce() => Run();
}
