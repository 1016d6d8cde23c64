using System.Runtime.InteropServices;

namespace StrixOS.Boot.Stage;

/// <summary>
/// What the boot stage (boot.asm, strix_boot_layout) tells C#: where the image, its sections,
/// the boot page tables, the stack and the early heap are, and how much of physical memory the
/// offset map covers. Field order must match boot.asm.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct BootLayout
{
    public ulong MultibootInfoPhysical;
    public ulong KernelPhysicalStart;
    public ulong KernelPhysicalEnd;
    public ulong BootTablesPhysicalStart;
    public ulong BootTablesPhysicalEnd;
    public ulong BootPml4Physical;
    public ulong TextStart, TextEnd;
    public ulong RodataStart, RodataEnd;
    public ulong KernelVirtualStart, KernelVirtualEnd;
    public ulong StackGuard, StackTop;
    public ulong EarlyHeapStart, EarlyHeapEnd;
    /// <summary>Bytes of physical memory mapped at PHYS_MEM_OFFSET by the boot stage.</summary>
    public ulong OffsetMapBytes;
    /// <summary>Highest end of RAM in the firmware's map, as the boot stage saw it.</summary>
    public ulong RamEnd;
    /// <summary>Non-zero when the offset map uses 1 GiB pages (CPUID pdpe1gb).</summary>
    public ulong Uses1GiBPages;
    /// <summary>Interrupt stacks (TSS IST1-3): each has an unmapped guard page below it.</summary>
    public ulong DoubleFaultStackGuard, DoubleFaultStackTop;
    public ulong NmiStackGuard, NmiStackTop;
    public ulong MachineCheckStackGuard, MachineCheckStackTop;
    /// <summary>TSC stamps for strix.boottrace: the kernel's first instruction, the first in the higher half
    /// (boot tables built, long mode on), before CoreLib's module start-up, before Main.</summary>
    public ulong EntryTsc, HigherHalfTsc, RuntimeStartTsc, MainTsc;
    /// <summary>The frames behind the kernel stack (StackGuard + 4 KiB to StackTop) except its top 64 KiB: not part
    /// of the image, the boot stage takes them from the memory map: the highest run above the image, the boot information
    /// and the modules, from a 2 MiB boundary when it can. The top 64 KiB (all a boot uses) are frames of the image's .bss,
    /// mapped only there, so the stack writes to no 2 MiB region of RAM the boot loader had not (boot.asm).</summary>
    public ulong StackPhysicalStart, StackPhysicalEnd;
    /// <summary>TSC at the expander's first instruction (Boot/Stage/Expander: it expands this image from the compressed
    /// one GRUB loaded), for strix.boottrace; 0 when the kernel was loaded without it.</summary>
    public ulong ExpanderTsc;

    public const ulong KernelVirtualBase = 0xFFFFFFFF80000000;
    public const ulong PhysicalMemoryOffset = 0xFFFF800000000000;

    [DllImport("*", EntryPoint = "strix_get_boot_layout"), SuppressGCTransition]
    private static extern BootLayout* GetBootLayout();

    public static BootLayout* Current => GetBootLayout();
}
