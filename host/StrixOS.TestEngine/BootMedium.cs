namespace StrixOS.Tests.Runner;

/// <summary>What the image is presented as: a matrix axis.</summary>
public enum BootMedium
{
    /// <summary>The ISO as a CD-ROM (El Torito).</summary>
    Cdrom,
    /// <summary>The hybrid ISO as a raw hard disk (the USB-stick case); writes go to a temporary overlay.</summary>
    Disk,
    /// <summary>Network boot through QEMU's user-mode DHCP/TFTP from <see cref="QemuConfiguration.PxeTftpRoot"/>.</summary>
    Pxe,
}
