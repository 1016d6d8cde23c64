using StrixOS.Boot.Stage;
using StrixOS.Plugs;

namespace StrixOS.Cpu;

/// <summary>
/// This CPU's local APIC (xAPIC, memory-mapped, reached through the offset map): enable, end of
/// interrupt, and its timer. The spurious vector is 0xFF.
/// </summary>
public static unsafe class LocalApic
{
    public const byte SpuriousVector = 0xFF;
    public const byte ErrorVector = 0xFE;
    public const byte TimerVector = 0xF0;

    private const uint ApicBaseMsr = 0x1B;
    private const uint IdRegister = 0x20, TaskPriority = 0x80, Eoi = 0xB0, SpuriousRegister = 0xF0, ErrorStatus = 0x280;
    private const uint LvtTimer = 0x320, LvtLint0 = 0x350, LvtLint1 = 0x360, LvtError = 0x370;
    private const uint TimerInitialCount = 0x380, TimerCurrentCount = 0x390, TimerDivide = 0x3E0;
    private const uint Masked = 1u << 16;
    private const uint InterruptCommandLow = 0x300, SelfShorthand = 1u << 18;

    private static byte* s_registers;

    public static ulong PhysicalAddress { get; private set; }
    public static bool IsEnabled => s_registers != null;
    public static uint Id => Read(IdRegister) >> 24;

    /// <summary>Enables the APIC at <paramref name="physicalAddress"/> (MADT; 0: the MSR's) with LINT0/1 and the timer masked.</summary>
    public static void Enable(ulong physicalAddress)
    {
        ulong msr = X64.ReadMsr(ApicBaseMsr);
        if (physicalAddress == 0)
            physicalAddress = msr & 0xF_FFFF_F000;
        X64.WriteMsr(ApicBaseMsr, msr | (1UL << 11));
        PhysicalAddress = physicalAddress;
        s_registers = (byte*)(BootLayout.PhysicalMemoryOffset + physicalAddress);
        Write(TaskPriority, 0);
        Write(LvtLint0, Masked);
        Write(LvtLint1, Masked);
        Write(LvtTimer, Masked | TimerVector);
        Write(LvtError, ErrorVector);
        Write(ErrorStatus, 0);
        Write(SpuriousRegister, 0x100 | SpuriousVector);   // software enable
        EndOfInterrupt();
    }

    public static void EndOfInterrupt() => Write(Eoi, 0);

    /// <summary>Interrupts this CPU with <paramref name="vector"/> (ICR, fixed delivery, "self" shorthand).</summary>
    public static void SendSelfInterrupt(byte vector) => Write(InterruptCommandLow, vector | SelfShorthand);

    /// <summary>Timer counts down at the bus clock / 16.</summary>
    public static void TimerSetDivideBy16() => Write(TimerDivide, 0x3);

    /// <summary>One-shot: the timer interrupt fires once after <paramref name="ticks"/> (0 stops the timer).</summary>
    public static void TimerOneShot(uint ticks)
    {
        Write(LvtTimer, TimerVector);
        Write(TimerInitialCount, ticks);
    }

    /// <summary>Masks the timer's interrupt, so that a count-down started next raises none (for calibration).</summary>
    public static void TimerMask() => Write(LvtTimer, Masked | TimerVector);

    /// <summary>Starts a count-down from the largest count: one register write, so calibration can bracket it.</summary>
    public static void TimerStartFreeRunning() => Write(TimerInitialCount, uint.MaxValue);

    public static uint TimerCurrent => Read(TimerCurrentCount);

    public static void TimerStop() => Write(TimerInitialCount, 0);

    private static uint Read(uint register) => Mmio.Read32(s_registers + register);
    private static void Write(uint register, uint value) => Mmio.Write32(s_registers + register, value);
}
