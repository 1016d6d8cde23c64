using StrixOS.Diagnostics;

namespace StrixOS;

/// <summary>The kernel of the StrixOS image itself: report that the boot is complete, then stop.</summary>
public sealed class DefaultKernel : Kernel
{
    protected override void Run()
    {
        KernelLog.Info("boot complete");
        Stop(success: true);
    }
}
