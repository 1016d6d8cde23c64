using StrixOS.Boot.Stage;
using StrixOS.Plugs;
using StrixOS.Runtime;

namespace StrixOS.Cpu;

/// <summary>
/// The kernel's GDT (with a TSS) and IDT. The TSS gives the double fault, NMI and machine check
/// their own interrupt stacks (IST1-3, each above an unmapped guard page), so a kernel stack
/// overflow is still reported instead of becoming a triple fault.
/// </summary>
public static unsafe class DescriptorTables
{
    public const ushort KernelCode = 0x08;
    public const ushort KernelData = 0x10;
    public const ushort TaskState = 0x18;

    private const int TssSize = 104;
    private const byte InterruptGate = 0x8E; // present, ring 0, 64-bit interrupt gate

    public static void Load()
    {
        BootLayout* layout = BootLayout.Current;

        byte* tss = KernelHeap.Allocate(TssSize);
        WriteUInt64(tss + 36, layout->DoubleFaultStackTop);   // IST1
        WriteUInt64(tss + 44, layout->NmiStackTop);           // IST2
        WriteUInt64(tss + 52, layout->MachineCheckStackTop);  // IST3
        *(ushort*)(tss + 102) = TssSize;                      // no I/O permission bitmap

        ulong* gdt = (ulong*)KernelHeap.Allocate(5 * 8);
        gdt[0] = 0;
        gdt[1] = 0x00AF9A000000FFFF;                          // 64-bit code, ring 0
        gdt[2] = 0x00CF92000000FFFF;                          // data, ring 0
        ulong tssBase = (ulong)tss;
        gdt[3] = (TssSize - 1) | ((tssBase & 0xFFFFFF) << 16) | (0x89UL << 40) | (((tssBase >> 24) & 0xFF) << 56);
        gdt[4] = tssBase >> 32;
        LoadDescriptorTable(gdt, 5 * 8, isGdt: true);
        X64.LoadTaskRegister(TaskState);

        ulong* idt = (ulong*)KernelHeap.Allocate(256 * 16);
        ulong* stubs = X64.ExceptionStubs();
        for (int vector = 0; vector < 32; vector++)
        {
            byte ist = vector switch { 8 => 1, 2 => 2, 18 => 3, _ => 0 };
            ulong handler = stubs[vector];
            idt[vector * 2] = (handler & 0xFFFF) | ((ulong)KernelCode << 16) | ((ulong)ist << 32)
                              | ((ulong)InterruptGate << 40) | (((handler >> 16) & 0xFFFF) << 48);
            idt[vector * 2 + 1] = handler >> 32;
        }
        // Hardware interrupts (irq.asm): on the current stack, interrupts off while the handler runs.
        ulong* irqStubs = InterruptFlag.IrqStubs();
        for (int vector = 32; vector < 256; vector++)
        {
            ulong handler = irqStubs[vector - 32];
            idt[vector * 2] = (handler & 0xFFFF) | ((ulong)KernelCode << 16)
                              | ((ulong)InterruptGate << 40) | (((handler >> 16) & 0xFFFF) << 48);
            idt[vector * 2 + 1] = handler >> 32;
        }
        LoadDescriptorTable(idt, 256 * 16, isGdt: false);
    }

    private static void LoadDescriptorTable(void* table, int size, bool isGdt)
    {
        byte* pointer = stackalloc byte[16];
        *(ushort*)(pointer + 6) = (ushort)(size - 1);
        *(ulong*)(pointer + 8) = (ulong)table;
        if (isGdt)
            X64.LoadGdt(pointer + 6, KernelCode, KernelData);
        else
            X64.LoadIdt(pointer + 6);
    }

    private static void WriteUInt64(byte* destination, ulong value)
    {
        for (int i = 0; i < 8; i++)
            destination[i] = (byte)(value >> (8 * i));
    }
}
