using System;
using StrixOS.Diagnostics;
using StrixOS.Memory;

namespace StrixOS.Boot.Stage;

/// <summary>
/// Builds <see cref="BootInfo"/> from what GRUB left in memory: the multiboot2 information
/// (read through the offset map) plus the ranges the kernel itself occupies, which the normalised
/// memory map must never call Usable. Any malformed input ends in a panic naming the problem.
/// </summary>
public static unsafe class BootInfoReader
{
    public static BootInfo Read(CommandLine earlyCommandLine)
    {
        BootLayout* layout = BootLayout.Current;
        ulong physical = layout->MultibootInfoPhysical;
        if (physical == 0 || physical + 8 > layout->OffsetMapBytes)
            Panic.Fail($"boot: multiboot2 information address {Hex.Format(physical)} is outside mapped memory");
        byte* information = (byte*)(BootLayout.PhysicalMemoryOffset + physical);
        if (!Multiboot2.TryGetTotalSize(information, out uint totalSize, out BootInfoError sizeError))
            Panic.Fail($"boot: malformed multiboot2 information: {sizeError.Describe()}");

        ReadOnlySpan<byte> bytes = new(information, (int)totalSize);
        if (earlyCommandLine.TryGetValue("strix.corrupt-bootinfo", out string corruption))
            bytes = Corrupt(bytes, corruption);

        MemoryRegion[] reserved =
        [
            new(layout->KernelPhysicalStart, layout->KernelPhysicalEnd, MemoryRegionType.Kernel),
            new(layout->BootTablesPhysicalStart, layout->BootTablesPhysicalEnd, MemoryRegionType.BootPageTables),
            new(layout->StackPhysicalStart, layout->StackPhysicalEnd, MemoryRegionType.Kernel),
        ];
        Result<BootInfo, BootInfoError> created = BootInfo.Create(bytes, physical, reserved, BootLayout.PhysicalMemoryOffset, layout->OffsetMapBytes);
        if (created.TryGetError(out BootInfoError error))
        {
            // The boot loader (or the boot stage) put the kernel over firmware memory: not a parsing problem.
            Panic.Fail(error.Kind == BootInfoErrorKind.KernelOverlapsFirmwareMemory
                ? $"boot: {error.Describe()}"
                : $"boot: malformed multiboot2 information: {error.Describe()}");
        }
        return created.Value;
    }

    /// <summary>
    /// Test hook (command line <c>strix.corrupt-bootinfo=KIND</c>): parse a damaged copy of the
    /// information so the boot tests can prove a malformed structure ends in a clear panic.
    /// KIND: truncated (total size cuts the last tag), tag-past-end (a tag claims more bytes than
    /// remain), no-end-tag (the end tag is overwritten).
    /// </summary>
    private static ReadOnlySpan<byte> Corrupt(ReadOnlySpan<byte> original, string kind)
    {
        byte[] copy = original.ToArray();
        fixed (byte* p = copy)
        {
            uint total = *(uint*)p;
            switch (kind)
            {
                case "truncated":
                    *(uint*)p = total - 12;
                    return new ReadOnlySpan<byte>(copy, 0, (int)(total - 12));
                case "tag-past-end":
                    *(uint*)(p + 12) = total * 2;   // the first tag's size field
                    return copy;
                case "no-end-tag":
                    *(uint*)(p + total - 8) = 0xFFFF; // end tag type becomes unknown
                    return copy;
                default:
                    Panic.Fail($"boot: unknown strix.corrupt-bootinfo kind '{kind}' (truncated, tag-past-end, no-end-tag)");
                    return copy;
            }
        }
    }
}
