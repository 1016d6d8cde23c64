namespace StrixOS.Tests.Runner;

/// <summary>How one boot of the kernel in QEMU ended, judged from its serial output and exit.</summary>
public enum BootEnding
{
    /// <summary>The end line came, consistent with the results and with the exit status.</summary>
    Completed,
    /// <summary>A fault report line came (expected or not: the engine decides which).</summary>
    CpuFault,
    KernelPanic,
    /// <summary>QEMU exited with status 0: with -no-reboot that is a CPU reset, usually a triple fault.</summary>
    TripleFaultOrReset,
    /// <summary>The boot outlived its timeout and QEMU was killed.</summary>
    Hang,
    /// <summary>No end line, a malformed or out-of-order protocol line, or an exit status that contradicts the results.</summary>
    TruncatedOrGarbled,
    /// <summary>QEMU exited with an error of its own before the kernel said anything.</summary>
    QemuFailedToStart,
}
