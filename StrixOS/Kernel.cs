using StrixOS.Boot.Stage;
using StrixOS.Diagnostics;
using StrixOS.Drivers;

namespace StrixOS;

public static unsafe class Kernel
{
    public static void Main()
    {
        SerialPort.Com1.Initialize();
        KernelLog.Raw("StrixOS booting");
        BootLayout* layout = BootLayout.Current;
        KernelLog.Info($"multiboot info at {Hex.Format(layout->MultibootInfoPhysical)}, offset map {layout->OffsetMapBytes >> 30} GiB");
        var list = new System.Collections.Generic.List<int> { 1, 2, 3 };
        KernelLog.Info($"list sum {list[0] + list[1] + list[2]}");
        Machine.Shutdown(success: true);
    }
}
