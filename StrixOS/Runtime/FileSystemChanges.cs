using System.Runtime;
using StrixOS.Files;

namespace StrixOS.Runtime;

/// <summary>
/// The path calls that would change the file system (mkdir, rmdir, rename, link, symlink, chmod,
/// utimensat, mkdtemp, ...): the module file system is read-only, so each fails, with the errno Linux
/// gives on a read-only mount. A missing path (or parent) is ENOENT and an existing target EEXIST, as
/// Linux checks those first; otherwise EROFS, which CoreLib raises as IOException with the kernel's
/// "Read-only file system (StrixOS files are GRUB modules)" (Errno.StrErrorR).
/// </summary>
public static unsafe class FileSystemChanges
{
    private static FileTreeNode? Find(byte* path) => ModuleFileSystem.Tree.Find(FileDescriptors.PathText(path));

    /// <summary>The errno of creating an entry at path: EEXIST when it exists, ENOENT without its parent directory.</summary>
    private static int CreateError(byte* path)
    {
        string text = FileDescriptors.PathText(path);
        if (ModuleFileSystem.Tree.Find(text) != null)
            return Errno.EEXIST;
        FileTreeNode? parent = ModuleFileSystem.Tree.Find(text + "/..");
        return parent == null ? Errno.ENOENT : parent.IsDirectory ? Errno.EROFS : Errno.ENOTDIR;
    }

    /// <summary>The errno of changing an existing entry: ENOENT when it is missing.</summary>
    private static int ChangeError(byte* path) => Find(path) == null ? Errno.ENOENT : Errno.EROFS;

    [RuntimeExport("SystemNative_MkDir")]
    private static int MkDir(byte* path, int mode) => Errno.Fail(CreateError(path));

    [RuntimeExport("SystemNative_RmDir")]
    private static int RmDir(byte* path)
    {
        FileTreeNode? node = Find(path);
        return Errno.Fail(node == null ? Errno.ENOENT : node.IsDirectory ? Errno.EROFS : Errno.ENOTDIR);
    }

    [RuntimeExport("SystemNative_Rename")]
    private static int Rename(byte* oldPath, byte* newPath) => Errno.Fail(ChangeError(oldPath));

    [RuntimeExport("SystemNative_Link")]
    private static int Link(byte* source, byte* linkPath) =>
        Errno.Fail(Find(source) == null ? Errno.ENOENT : CreateError(linkPath));

    [RuntimeExport("SystemNative_SymLink")]
    private static int SymLink(byte* target, byte* linkPath) => Errno.Fail(CreateError(linkPath));

    [RuntimeExport("SystemNative_ChMod")]
    private static int ChMod(byte* path, int mode) => Errno.Fail(ChangeError(path));

    [RuntimeExport("SystemNative_UTimensat")]
    private static int UTimensat(byte* path, void* times) => Errno.Fail(ChangeError(path));

    // Linux has no file flags (chflags): CoreLib asks LChflagsCanSetHiddenFlag first, which says no.
    [RuntimeExport("SystemNative_LChflags")]
    private static int LChflags(byte* path, uint flags) => Errno.Fail(Errno.ENOTSUP);

    /// <summary>mkdtemp: the template's directory must exist to say EROFS; returns null on failure.</summary>
    [RuntimeExport("SystemNative_MkdTemp")]
    private static byte* MkdTemp(byte* template)
    {
        Errno.Set(CreateError(template));
        return null;
    }

    [RuntimeExport("SystemNative_MksTemps")]
    private static nint MksTemps(byte* template, int suffixLength) => Errno.Fail(CreateError(template));
}
