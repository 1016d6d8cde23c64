namespace StrixOS.Cpu;

/// <summary>Names of the CPU exception vectors, for fault reports a person reads.</summary>
public static class CpuExceptionInfo
{
    /// <summary>
    /// The SDM mnemonic ("#PF"); "#&lt;vector&gt;" for reserved and unnamed vectors below 32 and
    /// "#INT" above. Literals only, so a fault report made while the heap is broken allocates nothing.
    /// </summary>
    public static string Mnemonic(byte vector) => vector switch
    {
        0 => "#DE",
        1 => "#DB",
        2 => "NMI",
        3 => "#BP",
        4 => "#OF",
        5 => "#BR",
        6 => "#UD",
        7 => "#NM",
        8 => "#DF",
        10 => "#TS",
        11 => "#NP",
        12 => "#SS",
        13 => "#GP",
        14 => "#PF",
        16 => "#MF",
        17 => "#AC",
        18 => "#MC",
        19 => "#XM",
        20 => "#VE",
        21 => "#CP",
        28 => "#HV",
        29 => "#VC",
        30 => "#SX",
        9 => "#9",
        15 => "#15",
        22 => "#22",
        23 => "#23",
        24 => "#24",
        25 => "#25",
        26 => "#26",
        27 => "#27",
        31 => "#31",
        _ => "#INT",
    };

    public static string Name(byte vector) => vector switch
    {
        0 => "divide error",
        1 => "debug",
        2 => "non-maskable interrupt",
        3 => "breakpoint",
        4 => "overflow",
        5 => "bound range exceeded",
        6 => "invalid opcode",
        7 => "device not available",
        8 => "double fault",
        9 => "coprocessor segment overrun",
        10 => "invalid TSS",
        11 => "segment not present",
        12 => "stack-segment fault",
        13 => "general protection",
        14 => "page fault",
        16 => "x87 floating-point error",
        17 => "alignment check",
        18 => "machine check",
        19 => "SIMD floating-point exception",
        20 => "virtualization exception",
        21 => "control protection",
        28 => "hypervisor injection",
        29 => "VMM communication",
        30 => "security exception",
        < 32 => "reserved",
        _ => "interrupt",
    };

    /// <summary>Whether the CPU pushes an error code for this vector.</summary>
    public static bool HasErrorCode(byte vector) =>
        vector is 8 or 10 or 11 or 12 or 13 or 14 or 17 or 21 or 29 or 30;

    /// <summary>Vectors whose error code is a segment selector (or zero).</summary>
    public static bool HasSelectorErrorCode(byte vector) => vector is 10 or 11 or 12 or 13;
}
