using System.Text;

namespace StrixOS.Cpu;

/// <summary>Names of the CPU exception vectors and decoders for their error codes (Intel SDM vol. 3, ch. 6).</summary>
public static class CpuExceptionNames
{
    public const int PageFault = 14;
    public const int DoubleFault = 8;
    public const int GeneralProtection = 13;
    public const int InvalidOpcode = 6;

    public static string Mnemonic(ulong vector) => vector switch
    {
        0 => "#DE", 1 => "#DB", 2 => "NMI", 3 => "#BP", 4 => "#OF", 5 => "#BR", 6 => "#UD", 7 => "#NM",
        8 => "#DF", 9 => "CSO", 10 => "#TS", 11 => "#NP", 12 => "#SS", 13 => "#GP", 14 => "#PF", 16 => "#MF",
        17 => "#AC", 18 => "#MC", 19 => "#XM", 20 => "#VE", 21 => "#CP", 28 => "#HV", 29 => "#VC", 30 => "#SX",
        _ => "#??",
    };

    public static string Name(ulong vector) => vector switch
    {
        0 => "divide error", 1 => "debug", 2 => "non-maskable interrupt", 3 => "breakpoint", 4 => "overflow",
        5 => "bound range exceeded", 6 => "invalid opcode", 7 => "device not available", 8 => "double fault",
        9 => "coprocessor segment overrun", 10 => "invalid TSS", 11 => "segment not present",
        12 => "stack-segment fault", 13 => "general protection", 14 => "page fault", 16 => "x87 floating-point error",
        17 => "alignment check", 18 => "machine check", 19 => "SIMD floating-point", 20 => "virtualization",
        21 => "control protection", 28 => "hypervisor injection", 29 => "VMM communication", 30 => "security",
        _ => "reserved vector",
    };

    public static bool HasErrorCode(ulong vector) =>
        vector is 8 or 10 or 11 or 12 or 13 or 14 or 17 or 21 or 29 or 30;

    /// <summary>Page-fault error bits: present, write, user, reserved-bit, instruction-fetch, protection-key, shadow-stack.</summary>
    public static string DescribePageFaultError(ulong error)
    {
        var text = new StringBuilder();
        text.Append((error & 1) != 0 ? "protection violation (page present)" : "page not present");
        text.Append((error & 2) != 0 ? ", write" : ", read");
        text.Append((error & 4) != 0 ? ", user mode" : ", supervisor mode");
        if ((error & 8) != 0) text.Append(", reserved bit set in a paging entry");
        if ((error & 16) != 0) text.Append(", instruction fetch");
        if ((error & 32) != 0) text.Append(", protection key");
        if ((error & 64) != 0) text.Append(", shadow stack");
        return text.ToString();
    }

    /// <summary>Selector error codes (#GP, #TS, #NP, #SS): external, IDT/GDT/LDT table, index.</summary>
    public static string DescribeSelectorError(ulong error)
    {
        if (error == 0)
            return "no selector involved";
        string table = (error & 2) != 0 ? "IDT" : (error & 4) != 0 ? "LDT" : "GDT";
        return $"{table} entry {(error >> 3) & 0x1FFF}{((error & 1) != 0 ? ", external event" : "")}";
    }
}
