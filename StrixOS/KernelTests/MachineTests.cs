using StrixOS.Boot.Stage;
using StrixOS.Cpu;
using StrixOS.Drivers;
using StrixOS.Drivers.Screen;
using StrixOS.Memory;
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
        suite.Add(nameof(FramebufferHasItsOwnNxWriteCombiningMapping), &FramebufferHasItsOwnNxWriteCombiningMapping);
        suite.Add(nameof(FramebufferPagesHaveOneMemoryTypeInBothMappings), &FramebufferPagesHaveOneMemoryTypeInBothMappings);
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

    /// <summary>Under UEFI (a framebuffer): the screen draws through its own pages, writable, NX, write-combining,
    /// covering the framebuffer and nothing past it.</summary>
    private static void FramebufferHasItsOwnNxWriteCombiningMapping(TestContext t)
    {
        FramebufferScreen? screen = BootScreen.Framebuffer;
        if (screen == null)
        {
            t.Skip("no framebuffer (VGA text under BIOS)");
            return;
        }
        ulong pixels = screen.PixelsAddress;
        t.True(pixels >= FramebufferWindow.Start && pixels < FramebufferWindow.Start + 0x1000, "the screen draws through its own window");
        ulong last = pixels + screen.ByteLength - 1;
        OffsetPageTable pages = KernelTestSuites.Kernel.PageTable;
        foreach (ulong address in new[] { pixels, last })
        {
            Result<Translation, TranslateError> mapped = pages.Translate(VirtAddr.NewTruncate(address));
            if (!t.True(mapped.IsOk, "the framebuffer's first and last byte are mapped"))
                return;
            PageTableFlags flags = mapped.Value.Flags;
            t.Equal(screen.PhysicalAddress + (address - pixels), mapped.Value.Address.Value);
            t.True((flags & PageTableFlags.NoExecute) != 0, "NX");
            t.True((flags & PageTableFlags.Writable) != 0, "writable");
            t.True((flags & PageTableFlags.UserAccessible) == 0, "kernel only");
            t.True((flags & PageTableFlags.WriteThrough) != 0 && (flags & (PageTableFlags.NoCache | PageTableFlags.HugePage)) == 0,
                "PAT entry 1 (PWT only)");
        }
        t.True(pages.Translate(VirtAddr.NewTruncate((last | 0xFFF) + 1)).IsError, "nothing mapped past the framebuffer");
        if (CpuFeatures.PageAttributeTable)
            t.Equal(1, (int)PageAttributeTable.Entry1Type);   // write-combining
    }

    /// <summary>Under UEFI: every page of the framebuffer has one memory type, the window's, in its own window
    /// and in the offset map (no write-back alias of write-combining memory), and the offset map still shows
    /// the pages next to it write-back.</summary>
    private static void FramebufferPagesHaveOneMemoryTypeInBothMappings(TestContext t)
    {
        FramebufferScreen? screen = BootScreen.Framebuffer;
        if (screen == null)
        {
            t.Skip("no framebuffer (VGA text under BIOS)");
            return;
        }
        OffsetPageTable pages = KernelTestSuites.Kernel.PageTable;
        ulong first = screen.PhysicalAddress & ~0xFFFUL;
        ulong length = (screen.PhysicalAddress + screen.ByteLength - first + 0xFFF) & ~0xFFFUL;
        VirtAddr offsetMap = VirtAddr.NewTruncate(BootLayout.PhysicalMemoryOffset);
        MemoryTypeCheck check = PhysicalWindow.CheckMemoryTypes(pages, offsetMap, VirtAddr.NewTruncate(FramebufferWindow.Start),
            PhysAddr.NewTruncate(first), length);
        t.True(check.IsSame, check.Describe());

        Result<Translation, TranslateError> inside = pages.Translate(VirtAddr.NewTruncate(BootLayout.PhysicalMemoryOffset + first));
        if (t.True(inside.IsOk, "the offset map shows the framebuffer"))
            t.Equal((int)(FramebufferWindow.Flags & PhysicalWindow.CacheBits), (int)(inside.Value.Flags & PhysicalWindow.CacheBits));
        foreach (ulong neighbour in new[] { first - 0x1000, first + length })
        {
            Result<Translation, TranslateError> next = pages.Translate(VirtAddr.NewTruncate(BootLayout.PhysicalMemoryOffset + neighbour));
            if (next.IsOk)
                t.Equal(0, PhysicalWindow.PatIndexOf(next.Value));   // write-back: only the framebuffer changed type
        }
    }
}
