using StrixOS;
using StrixOS.Diagnostics;
using StrixOS.Memory;

namespace HelloStrix;

/// <summary>A unikernel of its own: it maps a buffer into its address space, uses it, and shows where it lives.</summary>
public sealed unsafe class HelloKernel : Kernel
{
    private const ulong BufferAddress = 0xFFFF_C000_0000_0000;
    private const int BufferPages = 4;
    private int _runs;

    protected override void BeforeRun()
    {
        KernelLog.Info("Hello from HelloStrix, a StrixOS kernel of its own");
        KernelLog.Info($"free memory: {Frames.FreeFrames * 4096 / (1024 * 1024)} MiB in {Frames.FreeFrames} frames");

        // Map a 16 KiB buffer at an address of our choosing, one fresh frame per page.
        PageTableFlags flags = PageTableFlags.Present | PageTableFlags.Writable | PageTableFlags.NoExecute;
        for (int i = 0; i < BufferPages; i++)
        {
            Page page = Page.TryFromStartAddress(VirtAddr.NewTruncate(BufferAddress + (ulong)i * 4096)).Value;
            Result<PhysFrame, AllocationError> frame = Frames.AllocateFrame();
            if (frame.IsError || PageTable.MapTo(page, frame.Value, flags, Frames).IsError)
            {
                KernelLog.Error("could not map the buffer");
                Stop(success: false);
                return;
            }
        }

        ulong* buffer = (ulong*)BufferAddress;
        for (int i = 0; i < BufferPages * 512; i++)
            buffer[i] = (ulong)i * 3;
        for (int i = 0; i < BufferPages; i++)
        {
            ulong address = BufferAddress + (ulong)i * 4096;
            Translation translation = PageTable.Translate(VirtAddr.NewTruncate(address)).Value;
            KernelLog.Info($"buffer page {i}: virtual {Hex.Format(address)} -> physical {Hex.Format(translation.Address.Value)}");
        }
        KernelLog.Info($"buffer check: word 2047 = {buffer[2047]}; free memory now {Frames.FreeFrames} frames");
    }

    protected override void Run()
    {
        _runs++;
        KernelLog.Info($"Run() call {_runs}");
        if (_runs == 3)
            Stop(success: true);
    }
}
