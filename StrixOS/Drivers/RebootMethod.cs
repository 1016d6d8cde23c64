namespace StrixOS.Drivers;

/// <summary>The ways <see cref="Machine.Reboot()"/> restarts a PC, in the order it tries them.</summary>
public enum RebootMethod
{
    /// <summary>The FADT's reset register (on PCs the chipset's reset control port, 0xCF9).</summary>
    AcpiResetRegister,
    /// <summary>The 8042 keyboard controller's command 0xFE: pulse the CPU reset line.</summary>
    KeyboardController,
    /// <summary>An empty interrupt table and an interrupt: the CPU shuts down and the board resets it.</summary>
    TripleFault,
}
