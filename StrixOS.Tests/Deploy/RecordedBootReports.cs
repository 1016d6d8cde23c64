namespace StrixOS.Tests.Deploy;

/// <summary>Serial output recorded from real boots (QEMU 7.2, Debian 12 firmware), cut to the banner and the memory report.</summary>
internal static class RecordedBootReports
{
    /// <summary>OVMF, the ISO as CD, -m 128M: GRUB's warning, then the map from the EFI memory map tag.</summary>
    public const string OvmfCd128M = """
        WARNING: no console will be available to OS
        StrixOS 0.1.0: a C# unikernel for x86-64 (NativeAOT, CoreLib 10.0.12)
        [info]  memory map (EFI memory map, tag 17; normalised, 28 regions):
          0x0000000000000000-0x000000000009e000 BootloaderReclaimable 632.0 KiB
          0x000000000009e000-0x00000000000a0000 Usable                8.0 KiB
          0x0000000000100000-0x000000000064d000 Kernel                5.3 MiB
          0x000000000064d000-0x0000000000711000 BootloaderReclaimable 784.0 KiB
          0x0000000000711000-0x000000000074b000 Module                232.0 KiB
          0x000000000074b000-0x000000000074d000 BootInformation       8.0 KiB
          0x000000000074d000-0x000000000074f000 BootloaderReclaimable 8.0 KiB
          0x000000000074f000-0x0000000000800000 Usable                708.0 KiB
          0x0000000000800000-0x0000000000808000 AcpiNvs               32.0 KiB
          0x0000000000808000-0x000000000080b000 Usable                12.0 KiB
          0x000000000080b000-0x000000000080c000 AcpiNvs               4.0 KiB
          0x000000000080c000-0x0000000000810000 Usable                16.0 KiB
          0x0000000000810000-0x0000000000900000 AcpiNvs               960.0 KiB
          0x0000000000900000-0x0000000002684000 Usable                29.5 MiB
          0x0000000002684000-0x0000000003b75000 BootloaderReclaimable 20.9 MiB
          0x0000000003b75000-0x00000000060e3000 Usable                37.4 MiB
          0x00000000060e3000-0x000000000610a000 BootloaderReclaimable 156.0 KiB
          0x000000000610a000-0x0000000006142000 Usable                224.0 KiB
          0x0000000006142000-0x0000000006143000 BootloaderReclaimable 4.0 KiB
          0x0000000006143000-0x0000000006abb000 Usable                9.5 MiB
          0x0000000006abb000-0x0000000006b7c000 Reserved              772.0 KiB
          0x0000000006b7c000-0x00000000074ed000 Usable                9.4 MiB
          0x00000000074ed000-0x000000000776d000 Reserved              2.5 MiB
          0x000000000776d000-0x000000000777f000 AcpiReclaimable       72.0 KiB
          0x000000000777f000-0x00000000077ff000 AcpiNvs               512.0 KiB
          0x00000000077ff000-0x0000000007f58000 Usable                7.3 MiB
          0x0000000007f58000-0x0000000007f78000 Reserved              128.0 KiB
          0x0000000007f78000-0x0000000008000000 AcpiNvs               544.0 KiB
        [info]  memory: 124.2 MiB RAM in the map (130281472 bytes), 94.1 MiB usable (98721792 bytes)
        [info]  PHYS_MEM_OFFSET = 0xffff800000000000: 4 GiB of physical memory mapped with 2 MiB pages, NX
        """;

    /// <summary>SeaBIOS and iPXE, network boot, -m 128M: iPXE hides 0x9c000-0xa0000 and 0x7f2f000-0x7fe0000.</summary>
    public const string SeaBiosPxe128M = """
        StrixOS 0.1.0: a C# unikernel for x86-64 (NativeAOT, CoreLib 10.0.12)
        [info]  memory map (multiboot2 memory map, tag 6; normalised, 10 regions):
          0x0000000000000000-0x0000000000001000 InUse                 4.0 KiB
          0x0000000000001000-0x000000000009c000 Usable                620.0 KiB
          0x00000000000f0000-0x0000000000100000 Reserved              64.0 KiB
          0x0000000000100000-0x000000000064d000 Kernel                5.3 MiB
          0x000000000064d000-0x00000000007a7000 Usable                1.4 MiB
          0x00000000007a7000-0x00000000007a8000 BootInformation       4.0 KiB
          0x00000000007a8000-0x00000000007e2000 Module                232.0 KiB
          0x00000000007e2000-0x0000000007f2f000 Usable                119.3 MiB
          0x0000000007fe0000-0x0000000008000000 Reserved              128.0 KiB
          0x00000000fffc0000-0x0000000100000000 Reserved              256.0 KiB
        [info]  memory: 126.8 MiB RAM in the map (132952064 bytes), 121.3 MiB usable (127148032 bytes)
        [info]  PHYS_MEM_OFFSET = 0xffff800000000000: 4 GiB of physical memory mapped with 2 MiB pages, NX
        """;
}
