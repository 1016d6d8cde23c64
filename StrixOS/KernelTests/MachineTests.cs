using StrixOS.Cpu;
using StrixOS.Drivers;
using StrixOS.Plugs;
using StrixOS.Testing;

namespace StrixOS.KernelTests;

/// <summary>The machine beyond CPU and memory: ACPI tables, interrupt controllers, the APIC timer.</summary>
public static unsafe class MachineTests
{
    public static void Register(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("Machine");
        suite.Add(nameof(AcpiTablesNameTheInterruptControllers), &AcpiTablesNameTheInterruptControllers);
        suite.Add(nameof(InterruptsAreEnabledWithTheLocalApic), &InterruptsAreEnabledWithTheLocalApic);
        suite.Add(nameof(ApicTimerInterruptWakesASleep), &ApicTimerInterruptWakesASleep);
        suite.Add(nameof(SleepLastsItsTimeOnTheClock), &SleepLastsItsTimeOnTheClock);
    }

    private static void AcpiTablesNameTheInterruptControllers(TestContext t)
    {
        if (!t.True(Platform.Acpi != null, "ACPI tables were read"))
            return;
        t.True(Platform.Acpi!.Madt.IoApics.Count >= 1, "at least one I/O APIC");
        t.Equal(0xFEE00000ul, Platform.Acpi.Madt.LocalApicAddress);
        t.True(Platform.Acpi.S5 != null, "\\_S5 found in the DSDT");
        t.True(Platform.Acpi.Fadt.Pm1aControl.IsPresent, "PM1a control");
    }

    private static void InterruptsAreEnabledWithTheLocalApic(TestContext t)
    {
        t.True(Interrupts.IsInitialized, "interrupts initialised");
        t.True(InterruptFlag.Enabled, "IF set");
        t.True(LocalApic.IsEnabled, "local APIC on");
        t.Equal(0ul, Interrupts.ApicErrorCount);
    }

    private static void ApicTimerInterruptWakesASleep(TestContext t)
    {
        ulong before = Interrupts.CountOf(LocalApic.TimerVector);
        Clock.Sleep(3);
        t.True(Interrupts.CountOf(LocalApic.TimerVector) > before, "the timer interrupt ran during the sleep");
    }

    private static void SleepLastsItsTimeOnTheClock(TestContext t)
    {
        ulong start = Clock.Nanoseconds;
        Clock.Sleep(20);
        ulong elapsed = Clock.Nanoseconds - start;
        t.True(elapsed >= 20_000_000, "slept at least 20 ms");
        // Only "it woke": how close to the deadline depends on the host's load (ScreenTests time it against the host).
        t.True(elapsed < 2_000_000_000, "woke within 2 s");
    }
}
