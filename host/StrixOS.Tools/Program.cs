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
// strix-tools compat-table <TestResults dir> <KernelTests dir> <runtime.md> [--check]: the compatibility table
// from the in-kernel run's JUnit files and the by-design markers of the kernel's tests, written between the
// markers of runtime.md; --check writes nothing and fails when the document's table is stale.
if ((args.Length == 4 || (args.Length == 5 && args[4] == "--check")) && args[0] == "compat-table")
{
    bool check = args.Length == 5;
    string[] junit = StrixOS.Tools.CompatibilityTable.LatestRun(args[1]);
    if (junit.Length == 0)
    {
        Console.Error.WriteLine($"strix compat-table: no strix-kernel-*.xml in {args[1]}: run ./strix test first");
        return 1;
    }
    var results = StrixOS.Tools.CompatibilityTable.ReadResults(junit);
    var checks = StrixOS.Tools.CompatibilityTable.CountChecks(args[2]);
    var byDesign = StrixOS.Tools.CompatibilityTable.ReadByDesign(args[2]);
    List<string> problems = StrixOS.Tools.CompatibilityTable.Problems(results, byDesign);
    if (problems.Count > 0)
    {
        foreach (string problem in problems)
            Console.Error.WriteLine($"strix compat-table: {problem}");
        return 1;
    }
    string date = File.GetLastWriteTimeUtc(junit.OrderBy(f => File.GetLastWriteTimeUtc(f)).Last()).ToString("yyyy-MM-dd");
    string table = StrixOS.Tools.CompatibilityTable.Render(results, checks, byDesign, date);
    if (check)
    {
        string? current = StrixOS.Tools.CompatibilityTable.Generated(File.ReadAllText(args[3]));
        List<string> differences = current is null ? ["(no markers)"] : StrixOS.Tools.CompatibilityTable.Differences(current, table);
        if (differences.Count == 0)
        {
            Console.WriteLine($"{args[3]}: the compatibility table is current");
            return 0;
        }
        Console.Error.WriteLine($"strix compat-table: {args[3]} is stale (run ./strix compat-table); it differs in:");
        foreach (string line in differences)
            Console.Error.WriteLine("  " + line);
        return 1;
    }
    if (!StrixOS.Tools.CompatibilityTable.Replace(args[3], table))
    {
        Console.Error.WriteLine($"strix compat-table: {args[3]} lacks the markers {StrixOS.Tools.CompatibilityTable.BeginMarker} ... {StrixOS.Tools.CompatibilityTable.EndMarker}");
        return 1;
    }
    Console.Write(table.Split('\n')[0] + "\n");
    return 0;
}
Console.Error.WriteLine("usage: StrixOS.Tools memmap <serial log> <output.svg>");
Console.Error.WriteLine("       StrixOS.Tools compat-table <TestResults dir> <KernelTests dir> <runtime.md> [--check]");
Console.Error.WriteLine("       StrixOS.Tools qemu-args <image> [--memory M] [--cpu C] [--serial S] [--cmdline TEXT] [--uefi]");
return 2;
