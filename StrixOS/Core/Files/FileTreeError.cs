namespace StrixOS.Files;

/// <summary>Why a file could not be added to a <see cref="ReadOnlyFileTree"/>.</summary>
public enum FileTreeError
{
    /// <summary>The path does not start with '/', or names the root itself.</summary>
    NotAbsolute,
    /// <summary>A component is "." or "..", or the path holds a NUL character.</summary>
    InvalidComponent,
    /// <summary>A file with this path was added before.</summary>
    Duplicate,
    /// <summary>The path is a directory already (another file lies below it), or passes through a file.</summary>
    FileDirectoryClash,
    /// <summary>The length is negative.</summary>
    BadLength,
}

public static class FileTreeErrorExtensions
{
    public static string Describe(this FileTreeError error) => error switch
    {
        FileTreeError.NotAbsolute => "the path is not absolute (it must start with '/')",
        FileTreeError.InvalidComponent => "the path has a '.' or '..' component or a NUL character",
        FileTreeError.Duplicate => "a file with this path exists already",
        FileTreeError.FileDirectoryClash => "the path is both a file and a directory",
        FileTreeError.BadLength => "the length is negative",
        _ => "unknown error",
    };
}
