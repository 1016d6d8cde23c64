using System.Collections.Generic;
using System.Linq;
using StrixOS.Memory;
using Xunit;
using static StrixOS.Tests.Memory.PagingFixture;

namespace StrixOS.Tests.Memory;

/// <summary>
/// A framebuffer window next to the offset map, as the kernel sets them up under UEFI: the offset map of 4 GiB
/// in 1 GiB pages (<c>-cpu max</c>) or 2 MiB pages (<c>qemu64</c>), the framebuffer inside it, and its own
/// write-combining window. No physical page may be mapped with two memory types.
/// </summary>
public unsafe class PhysicalWindowTests
{
    private const ulong KiB4 = 4096;
    private const ulong MiB2 = 2UL << 20;
    private const ulong GiB1 = 1UL << 30;
    private const ulong OffsetMap = 0xFFFF_8000_0000_0000;
    private const ulong Window = 0xFFFF_9080_0000_0000;
    private const PageTableFlags OffsetMapFlags = PageTableFlags.Present | PageTableFlags.Writable | PageTableFlags.NoExecute;
    /// <summary>As FramebufferWindow maps it: PWT selects PAT entry 1, write-combining.</summary>
    private const PageTableFlags WindowFlags = OffsetMapFlags | PageTableFlags.Global | PageTableFlags.WriteThrough;

    /// <summary>OVMF's 800x600x32 framebuffer at 2 GiB, and one that starts and ends inside 2 MiB pages
    /// and crosses a gigabyte.</summary>
    public static IEnumerable<object[]> Machines()
    {
        foreach (PageSize size in new[] { PageSize.Size1GiB, PageSize.Size2MiB })
        {
            yield return new object[] { size, 0x8000_0000UL, 469 * KiB4 };
            yield return new object[] { size, 3 * GiB1 - MiB2 - 5 * KiB4, 2 * MiB2 + 9 * KiB4 };
        }
    }

    private static PagingFixture BootTables(PageSize offsetMapPages)
    {
        var f = new PagingFixture(poolFrames: 64);
        if (offsetMapPages == PageSize.Size1GiB)
        {
            _ = f.Mapper.MapRange(Virt(OffsetMap), Phys(0), 4 * GiB1, OffsetMapFlags, f.Allocator, allowHugePages: true).Value;
        }
        else
        {
            for (ulong at = 0; at < 4 * GiB1; at += MiB2)
                _ = f.Mapper.MapTo(PageAt(OffsetMap + at, PageSize.Size2MiB), Frame(at, PageSize.Size2MiB), OffsetMapFlags, f.Allocator).Value;
        }
        return f;
    }

    [Theory]
    [MemberData(nameof(Machines))]
    public void AWindowMappedAloneIsAnAliasBothChecksFind(PageSize offsetMapPages, ulong framebuffer, ulong length)
    {
        using PagingFixture f = BootTables(offsetMapPages);
        _ = f.Mapper.MapRange(Virt(Window), Phys(framebuffer), length, WindowFlags, f.Allocator, allowHugePages: false).Value;

        MemoryTypeCheck check = PhysicalWindow.CheckMemoryTypes(f.Mapper, Virt(OffsetMap), Virt(Window), Phys(framebuffer), length);
        Assert.Equal(MemoryTypeCheckResult.TypesDiffer, check.Result);
        Assert.Equal(framebuffer, check.PhysicalAddress);
        Assert.Equal(1, check.WindowPatIndex);
        Assert.Equal(0, check.OffsetMapPatIndex);
        Assert.Contains("PAT entry 1 in the window and 0 in the offset map", check.Describe());
        Assert.NotNull(FirstAlias(f));
    }

    [Theory]
    [MemberData(nameof(Machines))]
    public void WindowAndOffsetMapGiveEveryPageOneMemoryType(PageSize offsetMapPages, ulong framebuffer, ulong length)
    {
        using PagingFixture f = BootTables(offsetMapPages);

        RangeSummary window = PhysicalWindow.Map(f.Mapper, Virt(OffsetMap), Virt(Window), Phys(framebuffer), length, WindowFlags, f.Allocator).Value;

        Assert.Equal(length / KiB4, window.Pages4KiB);
        MemoryTypeCheck check = PhysicalWindow.CheckMemoryTypes(f.Mapper, Virt(OffsetMap), Virt(Window), Phys(framebuffer), length);
        Assert.True(check.IsSame, check.Describe());
        Assert.Null(FirstAlias(f));
        // The offset map still maps all 4 GiB to the same frames; only the framebuffer's pages changed type:
        // every page from 4 MiB before it to 4 MiB after it, and a sample of the rest.
        void Check(ulong at)
        {
            Translation page = f.Mapper.Translate(Virt(OffsetMap + at)).Value;
            Assert.Equal(at, page.Address.Value);
            bool inside = at >= framebuffer && at < framebuffer + length;
            Assert.Equal(inside ? 1 : 0, PhysicalWindow.PatIndexOf(page));
            Assert.Equal(OffsetMapFlags | (inside ? PageTableFlags.WriteThrough : PageTableFlags.None), page.Flags & ~PageTableFlags.HugePage);
        }
        for (ulong at = framebuffer - 4 * MiB2; at < framebuffer + length + 4 * MiB2; at += KiB4)
            Check(at);
        for (ulong at = 0; at < 4 * GiB1; at += 7 * MiB2 + KiB4)
            Check(at);
        // Huge pages away from the framebuffer are left whole.
        Assert.Equal(offsetMapPages, f.Mapper.Translate(Virt(OffsetMap)).Value.Frame.Size);
    }

    [Fact]
    public void WithoutPatTheWindowStaysWriteBackAndSoDoesTheOffsetMap()
    {
        using PagingFixture f = BootTables(PageSize.Size2MiB);
        const PageTableFlags writeBack = WindowFlags & ~PageTableFlags.WriteThrough;
        _ = PhysicalWindow.Map(f.Mapper, Virt(OffsetMap), Virt(Window), Phys(0x8000_0000), 469 * KiB4, writeBack, f.Allocator).Value;
        Assert.True(PhysicalWindow.CheckMemoryTypes(f.Mapper, Virt(OffsetMap), Virt(Window), Phys(0x8000_0000), 469 * KiB4).IsSame);
        Assert.Equal(0, PhysicalWindow.PatIndexOf(f.Mapper.Translate(Virt(Window)).Value));
        Assert.Null(FirstAlias(f));
    }

    [Fact]
    public void TheCheckNamesAPageEitherMappingMisses()
    {
        using PagingFixture f = BootTables(PageSize.Size1GiB);
        _ = f.Mapper.MapRange(Virt(Window), Phys(0x8000_0000), 2 * KiB4, WindowFlags, f.Allocator, allowHugePages: false).Value;
        MemoryTypeCheck shortWindow = PhysicalWindow.CheckMemoryTypes(f.Mapper, Virt(OffsetMap), Virt(Window), Phys(0x8000_0000), 3 * KiB4);
        Assert.Equal(MemoryTypeCheckResult.TypesDiffer, shortWindow.Result);   // the first page already differs

        _ = PhysicalWindow.Map(f.Mapper, Virt(OffsetMap), Virt(Window + 16 * KiB4), Phys(0x8000_0000), 2 * KiB4, WindowFlags, f.Allocator).Value;
        MemoryTypeCheck missing = PhysicalWindow.CheckMemoryTypes(f.Mapper, Virt(OffsetMap), Virt(Window + 16 * KiB4), Phys(0x8000_0000), 3 * KiB4);
        Assert.Equal(MemoryTypeCheckResult.WindowNotMapped, missing.Result);
        Assert.Equal(0x8000_0000UL + 2 * KiB4, missing.PhysicalAddress);
        // A window onto memory the 4 GiB offset map does not reach.
        _ = f.Mapper.MapRange(Virt(Window + 64 * KiB4), Phys(4 * GiB1), KiB4, WindowFlags, f.Allocator, allowHugePages: false).Value;
        MemoryTypeCheck beyond = PhysicalWindow.CheckMemoryTypes(f.Mapper, Virt(OffsetMap), Virt(Window + 64 * KiB4), Phys(4 * GiB1), KiB4);
        Assert.Equal(MemoryTypeCheckResult.OffsetMapNotMapped, beyond.Result);
    }

    [Fact]
    public void WithoutFramesForTheSplitsNeitherMappingChanges()
    {
        using PagingFixture f = BootTables(PageSize.Size1GiB);
        f.Allocator.LeaveOnly(1);   // the gigabyte's split needs a table and the 2 MiB piece holding the framebuffer another
        byte[] before = f.SnapshotTables();
        Result<RangeSummary, MapError> result =
            PhysicalWindow.Map(f.Mapper, Virt(OffsetMap), Virt(Window), Phys(0x8000_1000), 469 * KiB4, WindowFlags, f.Allocator);
        Assert.Equal(MapErrorKind.FrameAllocationFailed, result.Error.Kind);
        Assert.Equal(before, f.SnapshotTables());
        Assert.Equal(TranslateError.NotMapped, f.Mapper.Translate(Virt(Window)).Error);
    }

    /// <summary>Every leaf of the hierarchy as a physical interval with the PAT entry it selects; the first
    /// two that overlap with different types, or null. Independent of PhysicalWindow's own check.</summary>
    private static string? FirstAlias(PagingFixture f)
    {
        var leaves = new List<(ulong Start, ulong End, int Type, ulong Virtual)>();
        Collect(f, f.Mapper.TableAt(f.Level4Frame.StartAddress), 4, 0, leaves);
        leaves.Sort((a, b) => a.Start.CompareTo(b.Start));
        // Sweep: the interval reaching furthest so far, against each next one.
        (ulong Start, ulong End, int Type, ulong Virtual)? open = null;
        foreach (var leaf in leaves)
        {
            if (open is { } o && leaf.Start < o.End && leaf.Type != o.Type)
                return $"physical 0x{leaf.Start:X}: PAT {o.Type} at 0x{o.Virtual:X}, PAT {leaf.Type} at 0x{leaf.Virtual:X}";
            if (open is not { } current || leaf.End > current.End)
                open = leaf;
        }
        return null;
    }

    private static void Collect(PagingFixture f, PageTable* table, int level, ulong virtualBase, List<(ulong, ulong, int, ulong)> leaves)
    {
        PageTableEntry* entries = (PageTableEntry*)table;
        ulong span = 1UL << (3 + 9 * level);
        for (int i = 0; i < PageTable.EntryCount; i++)
        {
            PageTableEntry entry = entries[i];
            if (!entry.IsPresent)
                continue;
            ulong virtualAddress = VirtAddr.SignExtend(virtualBase + (ulong)i * span);
            bool huge = (entry.Flags & PageTableFlags.HugePage) != 0;
            if (level == 1 || huge)
            {
                int type = ((entry.Flags & PageTableFlags.WriteThrough) != 0 ? 1 : 0) | ((entry.Flags & PageTableFlags.NoCache) != 0 ? 2 : 0)
                    | (level == 1 && huge ? 4 : 0) | (level > 1 && (entry.Raw & 0x1000) != 0 ? 4 : 0);
                ulong start = entry.Raw & PageTableEntry.AddressMask & ~(span - 1);
                leaves.Add((start, start + span, type, virtualAddress));
                continue;
            }
            Collect(f, f.Mapper.TableAt(entry.Address), level - 1, virtualBase + (ulong)i * span, leaves);
        }
    }
}
