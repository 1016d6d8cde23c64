using System;
using System.Runtime;
using System.Text;
using StrixOS.Files;

namespace StrixOS.Runtime;

/// <summary>
/// The current directory (getcwd/chdir): "/" at boot; Directory.SetCurrentDirectory moves it to any
/// directory of the <see cref="ModuleFileSystem"/>, as chdir does on Linux (ENOENT for a missing path,
/// ENOTDIR for a file). CoreLib makes relative paths absolute against it before it calls the kernel.
/// </summary>
public static unsafe class WorkingDirectory
{
    private static string s_path = "/";

    public static string Path => s_path;

    [RuntimeExport("SystemNative_GetCwd")]
    private static byte* GetCwd(byte* buffer, int size)
    {
        int length = Encoding.UTF8.GetByteCount(s_path);
        if (size < length + 1)
        {
            Errno.Set(Errno.ERANGE);
            return null;
        }
        Encoding.UTF8.GetBytes(s_path, new Span<byte>(buffer, length));
        buffer[length] = 0;
        return buffer;
    }

    [RuntimeExport("SystemNative_ChDir")]
    private static int ChDir(byte* path)
    {
        FileTreeNode? node = ModuleFileSystem.Tree.Find(FileDescriptors.PathText(path));
        if (node == null)
            return Errno.Fail(Errno.ENOENT);
        if (!node.IsDirectory)
            return Errno.Fail(Errno.ENOTDIR);
        s_path = node.Path;
        return 0;
    }
}
