using StrixOS.Tests.Kit;
using StrixOS.Tests.Runner;

// strix-tools qemu-args IMAGE [--memory M] [--cpu C] [--serial S] [--cmdline TEXT] [--uefi]:
// QEMU's arguments for one machine, one a line, built by the test engine's QemuConfiguration.
if (args.Length >= 2 && args[0] == "qemu-args")
{
    var configuration = new QemuConfiguration();
    string commandLine = "";
    for (int i = 2; i < args.Length; i++)
    {
        string option = args[i];
        if (option == "--uefi")
        {
            configuration = configuration with { Firmware = Firmware.Ovmf };
            continue;
        }
        if (i + 1 >= args.Length)
        {
            Console.Error.WriteLine($"strix qemu-args: {option} needs a value");
            return 2;
        }
        string value = args[++i];
        switch (option)
        {
            case "--memory": configuration = configuration with { Memory = value }; break;
            case "--cpu": configuration = configuration with { CpuModel = value }; break;
            case "--serial": configuration = configuration with { Serial = value }; break;
            case "--cmdline": commandLine = value; break;
            default:
                Console.Error.WriteLine($"strix qemu-args: unknown option {option}");
                return 2;
        }
    }
    foreach (string argument in configuration.Arguments(args[1], commandLine))
        Console.WriteLine(argument);
    return 0;
}

// strix-tools memmap <serial log> <output.svg>: draws the kernel's memory picture.
if (args.Length == 3 && args[0] == "memmap")
{
    MemoryPicture picture = MemoryPicture.Parse(File.ReadAllText(args[1]), out string? error);
    if (error != null)
    {
        Console.Error.WriteLine($"strix memmap: {error}");
        return 1;
    }
    File.WriteAllText(args[2], picture.ToSvg());
    Console.WriteLine($"{args[2]}: {picture.Regions.Count} regions, {MemoryPicture.Format(picture.TotalBytes)} in the map, " +
                      $"{MemoryPicture.Format(picture.BytesOf("Usable"))} usable, {picture.PageTableCount} page tables");
    return 0;
}
Console.Error.WriteLine("usage: StrixOS.Tools memmap <serial log> <output.svg>");
Console.Error.WriteLine("       StrixOS.Tools qemu-args <image> [--memory M] [--cpu C] [--serial S] [--cmdline TEXT] [--uefi]");
return 2;
