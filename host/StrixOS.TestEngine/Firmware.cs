namespace StrixOS.Tests.Runner;

/// <summary>The firmware QEMU boots with: a matrix axis.</summary>
public enum Firmware
{
    /// <summary>QEMU's default legacy BIOS.</summary>
    SeaBios,
    /// <summary>UEFI, from Debian's ovmf package.</summary>
    Ovmf,
}
