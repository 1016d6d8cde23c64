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
    private static ReadOnlyFileTree s_tree = new();

    public static ReadOnlyFileTree Tree => s_tree;

    /// <summary>Builds the tree from the boot modules (once, at boot); a module it cannot take is logged and left out.</summary>
    public static void Mount(BootInfo boot)
    {
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
