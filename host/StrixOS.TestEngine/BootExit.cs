using System;

namespace StrixOS.Tests.Runner;

/// <summary>
/// How the QEMU process ended: its exit status (null when it had to be killed after
/// <see cref="Limit"/>) and what it wrote to stderr.
/// </summary>
public sealed record BootExit(int? ExitStatus, bool TimedOut, string StandardError, TimeSpan Elapsed, TimeSpan Limit = default)
{
    public const int KernelSuccessStatus = 33;   // the kernel wrote 0x10 to isa-debug-exit
    public const int KernelFailureStatus = 35;   // the kernel wrote 0x11
    public const int ResetStatus = 0;            // -no-reboot turned a CPU reset into an exit

    public static BootExit Exited(int status, string standardError, TimeSpan elapsed) => new(status, false, standardError, elapsed);
    public static BootExit Killed(string standardError, TimeSpan elapsed, TimeSpan limit) => new(null, true, standardError, elapsed, limit);
}
