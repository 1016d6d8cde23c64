using System;
using StrixOS.Boot;
using StrixOS.Diagnostics;
using StrixOS.Files;
using StrixOS.Memory;

namespace StrixOS.Runtime;

/// <summary>
/// The kernel's file system: read-only, one file per GRUB module whose name is an absolute path
/// (grub.cfg's <c>module2 /files/data/x.txt /data/x.txt</c>, written by Cosmos.targets from the project's
/// <c>StrixFile</c> items). The files' bytes stay where GRUB put them (reserved in the memory map) and are
/// read through the physical-memory window. Other modules (strix.symbols) are not files.
/// </summary>
public static class ModuleFileSystem
{
    // Null until the first file module is mounted or the tree is first asked for: an image without files
    // builds its empty tree on first use, not at every boot (docs/benchmarks.md, "Code run once at start-up").
    private static ReadOnlyFileTree? s_tree;

    public static ReadOnlyFileTree Tree => s_tree ?? CreateEmpty();

    private static ReadOnlyFileTree CreateEmpty()
    {
        System.Threading.Interlocked.CompareExchange(ref s_tree, new ReadOnlyFileTree(), null);
        return s_tree;
    }

    /// <summary>Builds the tree from the boot modules (once, at boot); a module it cannot take is logged and left out.</summary>
    public static void Mount(BootInfo boot)
    {
        bool anyFile = false;
        foreach (BootModule module in boot.Modules)
            anyFile |= module.Name.StartsWith('/');
        if (!anyFile)
            return;
        var tree = new ReadOnlyFileTree();
        foreach (BootModule module in boot.Modules)
        {
            if (!module.Name.StartsWith('/'))
                continue;
            Result<FileTreeNode, FileTreeError> added =
                tree.Add(module.Name, boot.PhysicalMemoryOffset + module.Start, (long)(module.End - module.Start));
            if (added.IsError)
                KernelLog.Info($"files: module '{module.Name}' left out: {added.Error.Describe()}");
        }
        s_tree = tree;
        if (tree.FileCount > 0)
            KernelLog.Info($"files: {tree.FileCount} read-only file(s) from boot modules");
    }
}
