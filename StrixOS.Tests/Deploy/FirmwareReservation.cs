using StrixOS.Tests.Runner;

namespace StrixOS.Tests.Deploy;

/// <summary>
/// How much of QEMU's RAM the firmware keeps out of the memory map the kernel sees (the kernel counts
/// every region that is not Reserved as RAM). Measured with QEMU 7.2, SeaBIOS 1.16 and OVMF
/// 2022.11 (Debian 12), identical at -m 128M and -m 4G; docs/deploy.md has the maps.
/// </summary>
public readonly record struct FirmwareReservation(ulong MinimumBytes, ulong MaximumBytes, string Measured)
{
    /// <summary>
    /// The bounds bracket the measured value closely on both sides: too little kept out means firmware
    /// memory (runtime services, SeaBIOS's tables, iPXE) was counted as RAM; too much means RAM went missing.
    /// </summary>
    public static FirmwareReservation For(Firmware firmware, BootMedium medium) => (firmware, medium) switch
    {
        // SeaBIOS: the EBDA frame (4 KiB), 0xA0000-0x100000 (VGA memory and ROMs, 384 KiB) and 128 KiB
        // of its own tables (ACPI among them) below the top of low RAM.
        (Firmware.SeaBios, BootMedium.Pxe) => new(1UL << 20, 2UL << 20,
            "1236 KiB: SeaBIOS's 516 KiB plus the memory iPXE hides from E820 to stay resident for GRUB's PXE calls"),
        (Firmware.SeaBios, _) => new(512UL << 10, 1UL << 20, "516 KiB"),
        // OVMF: 0xA0000-0x100000 (384 KiB) plus runtime-services code and data (Reserved, 3460 KiB).
        _ => new(3UL << 20, 4UL << 20, "3844 KiB: 0xA0000-0x100000 plus OVMF's runtime-services code and data"),
    };
}
