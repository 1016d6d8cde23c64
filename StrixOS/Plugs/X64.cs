using System.Runtime.InteropServices;

namespace StrixOS.Plugs;

/// <summary>
/// Privileged CPU instructions, implemented in cpu.asm. These and the boot stage are the only
/// assembly in StrixOS; everything above them is C#.
/// </summary>
public static unsafe class X64
{
    [DllImport("*", EntryPoint = "strix_read_cr0"), SuppressGCTransition] public static extern ulong ReadCr0();
    /// <summary>CR2: the linear address of the last page fault.</summary>
    [DllImport("*", EntryPoint = "strix_read_cr2"), SuppressGCTransition] public static extern ulong ReadCr2();
    [DllImport("*", EntryPoint = "strix_read_cr3"), SuppressGCTransition] public static extern ulong ReadCr3();
    [DllImport("*", EntryPoint = "strix_read_cr4"), SuppressGCTransition] public static extern ulong ReadCr4();
    [DllImport("*", EntryPoint = "strix_write_cr3"), SuppressGCTransition] public static extern void WriteCr3(ulong value);
    [DllImport("*", EntryPoint = "strix_write_cr4"), SuppressGCTransition] public static extern void WriteCr4(ulong value);
    /// <summary>The caller's frame pointer (ILC keeps RBP frames), for backtraces.</summary>
    [DllImport("*", EntryPoint = "strix_read_rbp"), SuppressGCTransition] public static extern ulong ReadRbp();
    /// <summary>SMAP: allow (stac) or forbid again (clac) kernel access to user pages.</summary>
    [DllImport("*", EntryPoint = "strix_stac"), SuppressGCTransition] public static extern void AllowUserAccess();
    [DllImport("*", EntryPoint = "strix_clac"), SuppressGCTransition] public static extern void ForbidUserAccess();
    [DllImport("*", EntryPoint = "strix_load_gdt"), SuppressGCTransition] public static extern void LoadGdt(void* gdtr, ushort codeSelector, ushort dataSelector);
    [DllImport("*", EntryPoint = "strix_load_idt"), SuppressGCTransition] public static extern void LoadIdt(void* idtr);
    [DllImport("*", EntryPoint = "strix_load_tss"), SuppressGCTransition] public static extern void LoadTaskRegister(ushort selector);
    /// <summary>The addresses of the 32 exception entry stubs (interrupts.asm), in vector order.</summary>
    [DllImport("*", EntryPoint = "strix_get_exception_stubs"), SuppressGCTransition] public static extern ulong* ExceptionStubs();
    [DllImport("*", EntryPoint = "strix_invlpg"), SuppressGCTransition] public static extern void Invlpg(ulong virtualAddress);
    /// <summary>wbinvd: writes back and invalidates all caches (after pages change memory type).</summary>
    [DllImport("*", EntryPoint = "strix_wbinvd"), SuppressGCTransition] public static extern void WriteBackAndInvalidateCaches();
    [DllImport("*", EntryPoint = "strix_hlt"), SuppressGCTransition] public static extern void Halt();
    [DllImport("*", EntryPoint = "strix_cli"), SuppressGCTransition] public static extern void DisableInterrupts();
    [DllImport("*", EntryPoint = "strix_sti"), SuppressGCTransition] public static extern void EnableInterrupts();
    [DllImport("*", EntryPoint = "strix_pause"), SuppressGCTransition] public static extern void Pause();
    /// <summary>Interrupts off, halt, never return: the machine stays inspectable.</summary>
    [DllImport("*", EntryPoint = "strix_halt_forever"), SuppressGCTransition] public static extern void HaltForever();
    /// <summary>Loads an empty IDT and raises an interrupt: the CPU cannot deliver it and resets (last-resort reboot).</summary>
    [DllImport("*", EntryPoint = "strix_triple_fault"), SuppressGCTransition] public static extern void TripleFault();
    [DllImport("*", EntryPoint = "strix_rdtsc"), SuppressGCTransition] public static extern ulong ReadTimestampCounter();
    [DllImport("*", EntryPoint = "strix_rdmsr"), SuppressGCTransition] public static extern ulong ReadMsr(uint msr);
    [DllImport("*", EntryPoint = "strix_wrmsr"), SuppressGCTransition] public static extern void WriteMsr(uint msr, ulong value);
    /// <summary>Saves callee-saved registers, stack pointer and return address (setjmp): 0 now, 1 after <see cref="ResumeContext"/>.</summary>
    [DllImport("*", EntryPoint = "strix_context_save"), SuppressGCTransition] public static extern ulong SaveContext(SavedContext* context);
    /// <summary>Returns to the matching <see cref="SaveContext"/> call (longjmp), which then returns 1.</summary>
    [DllImport("*", EntryPoint = "strix_context_resume"), SuppressGCTransition] public static extern void ResumeContext(SavedContext* context);
    /// <summary>Raises #UD (invalid opcode) on purpose.</summary>
    [DllImport("*", EntryPoint = "strix_ud2"), SuppressGCTransition] public static extern void InvalidOpcode();
    [DllImport("*", EntryPoint = "strix_cpuid"), SuppressGCTransition] private static extern void CpuidRaw(uint leaf, uint subleaf, uint* result);

    public static CpuidResult Cpuid(uint leaf, uint subleaf = 0)
    {
        CpuidResult result;
        CpuidRaw(leaf, subleaf, (uint*)&result);
        return result;
    }
}

/// <summary>What <see cref="X64.SaveContext"/> keeps: rbx, rbp, r12-r15, rsp, rip.</summary>
public struct SavedContext
{
    public ulong Rbx, Rbp, R12, R13, R14, R15, Rsp, Rip;
}

/// <summary>The four registers CPUID returns.</summary>
public struct CpuidResult
{
    public uint Eax, Ebx, Ecx, Edx;
}
