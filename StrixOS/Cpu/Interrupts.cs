using System;
using System.Runtime;
using StrixOS.Acpi;
using StrixOS.Diagnostics;
using StrixOS.Plugs;

namespace StrixOS.Cpu;

/// <summary>
/// Hardware interrupts for drivers: the legacy PICs remapped and masked, the local APIC enabled, the
/// I/O APICs of the MADT with every input masked. A driver registers a handler for an ISA IRQ (the
/// MADT's overrides decide the GSI, polarity and trigger) and unmasks it; the dispatcher calls the
/// handler with interrupts off and then signals end of interrupt. ISA IRQ n uses vector 0x30 + n, other
/// GSIs 0x30 + GSI; the APIC timer 0xF0, APIC error 0xFE, spurious 0xFF (counted, no EOI).
/// </summary>
public static unsafe class Interrupts
{
    public const byte FirstDeviceVector = 0x30;
    public const byte LastDeviceVector = 0xEF;

    private static readonly Action?[] Handlers = new Action?[256];
    private static readonly ulong[] Counts = new ulong[256];
    private static IoApic[] s_ioApics = Array.Empty<IoApic>();
    private static Madt? s_madt;
    private static bool s_initialized;

    /// <summary>Spurious interrupts: the APIC's (vector 0xFF) and stray ones from the masked PICs.</summary>
    public static ulong SpuriousCount { get; private set; }
    public static ulong ApicErrorCount { get; private set; }
    public static bool IsInitialized => s_initialized;

    /// <summary>How often a vector's handler has run.</summary>
    public static ulong CountOf(byte vector) => Counts[vector];

    /// <summary>Sets up the controllers from the MADT (null: the PC defaults, one I/O APIC at 0xFEC00000) and enables interrupts.</summary>
    public static void Initialize(Madt? madt)
    {
        LegacyPic.RemapAndMask();
        LocalApic.Enable(madt?.LocalApicAddress ?? 0);
        s_madt = madt;
        if (madt != null && madt.IoApics.Count > 0)
        {
            s_ioApics = new IoApic[madt.IoApics.Count];
            for (int i = 0; i < s_ioApics.Length; i++)
                s_ioApics[i] = new IoApic(madt.IoApics[i].Address, madt.IoApics[i].GsiBase);
        }
        else
        {
            s_ioApics = new[] { new IoApic(0xFEC00000, 0) };
        }
        s_initialized = true;
        X64.EnableInterrupts();
    }

    /// <summary>
    /// Routes ISA IRQ <paramref name="irq"/> to <paramref name="handler"/> (honouring the MADT's override)
    /// and unmasks it. Returns the vector, or 0 if no I/O APIC serves the IRQ's GSI.
    /// </summary>
    public static byte RegisterIsaIrq(byte irq, Action handler)
    {
        InterruptOverride route = s_madt?.RouteIsaIrq(irq) ?? new InterruptOverride(irq, irq, 0);
        IoApic? apic = ApicFor(route.Gsi);
        if (apic == null || route.Gsi > LastDeviceVector - FirstDeviceVector)
            return 0;
        byte vector = (byte)(FirstDeviceVector + route.Gsi);
        ulong flags = InterruptFlag.SaveAndDisable();
        Handlers[vector] = handler;
        apic.Route(route.Gsi, vector, (byte)LocalApic.Id, route.ActiveLow, route.LevelTriggered);
        apic.SetMasked(route.Gsi, false);
        InterruptFlag.Restore(flags);
        return vector;
    }

    public static void MaskIsaIrq(byte irq) => SetIsaMasked(irq, true);
    public static void UnmaskIsaIrq(byte irq) => SetIsaMasked(irq, false);

    /// <summary>A handler for a local APIC vector (e.g. the timer, 0xF0).</summary>
    public static void RegisterLocalVector(byte vector, Action handler) => Handlers[vector] = handler;

    private static void SetIsaMasked(byte irq, bool masked)
    {
        uint gsi = (s_madt?.RouteIsaIrq(irq) ?? new InterruptOverride(irq, irq, 0)).Gsi;
        ApicFor(gsi)?.SetMasked(gsi, masked);
    }

    private static IoApic? ApicFor(uint gsi)
    {
        foreach (IoApic apic in s_ioApics)
            if (apic.Serves(gsi))
                return apic;
        return null;
    }

    [RuntimeExport("StrixInterrupt")]
    private static void OnInterrupt(ExceptionFrame* frame)
    {
        byte vector = (byte)frame->Vector;
        if (vector == LocalApic.SpuriousVector || (vector >= LegacyPic.FirstVector && vector <= LegacyPic.LastVector))
        {
            SpuriousCount++;   // no EOI: nothing is in service
            return;
        }
        Counts[vector]++;
        if (vector == LocalApic.ErrorVector)
            ApicErrorCount++;
        Action? handler = Handlers[vector];
        if (handler != null)
            handler();
        else if (vector != LocalApic.ErrorVector && vector != LocalApic.TimerVector)
            KernelLog.Warning($"interrupt: vector {vector} has no handler");
        LocalApic.EndOfInterrupt();
        // After the EOI: the switch may not come back here for a while, and other interrupts must get through.
        Threading.Scheduler.OnInterruptExit(frame);
    }
}
