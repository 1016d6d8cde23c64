using System;
using System.Collections.Generic;
using System.Text;
using StrixOS.Memory;

namespace StrixOS.Files;

/// <summary>
/// A read-only file system made of named byte ranges: each file has an absolute path, and the directories
/// are the paths' parents. The kernel builds one from the GRUB modules whose names start with '/'
/// (Runtime/ModuleFileSystem.cs); this class only keeps the names, so it runs on the host as well.
/// </summary>
public sealed class ReadOnlyFileTree
{
    private readonly Dictionary<string, FileTreeNode> _nodes = new(StringComparer.Ordinal);

    public ReadOnlyFileTree()
    {
        Root = FileTreeNode.NewDirectory("/");
        _nodes.Add("/", Root);
    }

    public FileTreeNode Root { get; }

    /// <summary>How many files (not directories) the tree holds.</summary>
    public int FileCount { get; private set; }

    /// <summary>Adds a file and any directory on its way; nothing changes when it fails.</summary>
    public Result<FileTreeNode, FileTreeError> Add(string path, ulong address, long length)
    {
        if (length < 0)
            return FileTreeError.BadLength;
        Result<string, FileTreeError> normalised = Normalise(path, resolveDots: false);
        if (normalised.IsError)
            return normalised.Error;
        string full = normalised.Value;
        if (full == "/")
            return FileTreeError.NotAbsolute;
        if (_nodes.TryGetValue(full, out FileTreeNode? existing))
            return existing.IsDirectory ? FileTreeError.FileDirectoryClash : FileTreeError.Duplicate;
        // Every parent must be a directory or not exist yet.
        for (int slash = full.IndexOf('/', 1); slash > 0; slash = full.IndexOf('/', slash + 1))
        {
            if (_nodes.TryGetValue(full.Substring(0, slash), out FileTreeNode? parent) && !parent.IsDirectory)
                return FileTreeError.FileDirectoryClash;
        }
        FileTreeNode directory = Root;
        for (int slash = full.IndexOf('/', 1); slash > 0; slash = full.IndexOf('/', slash + 1))
        {
            string directoryPath = full.Substring(0, slash);
            if (!_nodes.TryGetValue(directoryPath, out FileTreeNode? next))
            {
                next = FileTreeNode.NewDirectory(directoryPath);
                _nodes.Add(directoryPath, next);
                directory.AddChild(next);
            }
            directory = next;
        }
        FileTreeNode file = FileTreeNode.NewFile(full, address, length);
        _nodes.Add(full, file);
        directory.AddChild(file);
        FileCount++;
        return file;
    }

    /// <summary>The file or directory at an absolute path ("." and ".." are resolved, "//" and a trailing '/' ignored), or null.</summary>
    public FileTreeNode? Find(string path)
    {
        Result<string, FileTreeError> normalised = Normalise(path, resolveDots: true);
        if (normalised.IsError)
            return null;
        return _nodes.TryGetValue(normalised.Value, out FileTreeNode? node) ? node : null;
    }

    /// <summary>
    /// The canonical form of an absolute path: no empty components, no trailing '/', and (when asked)
    /// "." and ".." resolved ("/.." is "/", as on Unix). Without resolveDots they are an error.
    /// </summary>
    public static Result<string, FileTreeError> Normalise(string path, bool resolveDots)
    {
        if (path.Length == 0 || path[0] != '/')
            return FileTreeError.NotAbsolute;
        if (path.IndexOf('\0') >= 0)
            return FileTreeError.InvalidComponent;
        var components = new List<string>();
        foreach (string component in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (component == "." || component == "..")
            {
                if (!resolveDots)
                    return FileTreeError.InvalidComponent;
                if (component == ".." && components.Count > 0)
                    components.RemoveAt(components.Count - 1);
                continue;
            }
            components.Add(component);
        }
        if (components.Count == 0)
            return "/";
        var text = new StringBuilder(path.Length);
        foreach (string component in components)
            text.Append('/').Append(component);
        return text.ToString();
    }
}
