using StrixOS.Tests.Kit;

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
return 2;
