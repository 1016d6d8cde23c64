using StrixOS;
using StrixOS.Diagnostics;

namespace HelloStrix;

public sealed class HelloKernel : Kernel
{
    private int _runs;

    protected override void BeforeRun()
    {
        KernelLog.Info("Hello from HelloStrix, a StrixOS kernel of its own");
        KernelLog.Info($"usable memory: {BootInfo.MemoryMap.TotalUsableBytes / (1024 * 1024)} MiB");
    }

    protected override void Run()
    {
        _runs++;
        KernelLog.Info($"Run() call {_runs}");
        if (_runs == 3)
            Stop(success: true);
    }
}
