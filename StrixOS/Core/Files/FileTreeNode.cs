using System.Collections.Generic;

namespace StrixOS.Files;

/// <summary>
/// A file or directory of a <see cref="ReadOnlyFileTree"/>. A file is a range of bytes that someone else
/// owns (a GRUB module in the kernel); a directory exists because some file's path passes through it.
/// </summary>
public sealed class FileTreeNode
{
    private readonly List<FileTreeNode>? _children;

    private FileTreeNode(string path, bool isDirectory, ulong address, long length)
    {
        Path = path;
        Name = path == "/" ? "/" : path.Substring(path.LastIndexOf('/') + 1);
        IsDirectory = isDirectory;
        Address = address;
        Length = length;
        _children = isDirectory ? new List<FileTreeNode>() : null;
    }

    internal static FileTreeNode NewDirectory(string path) => new(path, true, 0, 0);
    internal static FileTreeNode NewFile(string path, ulong address, long length) => new(path, false, address, length);

    /// <summary>The absolute, normalised path ("/data/x.txt").</summary>
    public string Path { get; }

    /// <summary>The last component of the path ("x.txt"; "/" for the root).</summary>
    public string Name { get; }

    public bool IsDirectory { get; }

    /// <summary>Where the file's bytes start (0 for a directory).</summary>
    public ulong Address { get; }

    /// <summary>The file's size in bytes (0 for a directory).</summary>
    public long Length { get; }

    /// <summary>A directory's entries in the order they were added (empty for a file).</summary>
    public IReadOnlyList<FileTreeNode> Children => (IReadOnlyList<FileTreeNode>?)_children ?? [];

    internal void AddChild(FileTreeNode child) => _children!.Add(child);
}
