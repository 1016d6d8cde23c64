using System.Runtime;
using StrixOS.Files;

namespace StrixOS.Runtime;

/// <summary>
/// opendir/readdir/closedir for CoreLib's directory enumeration (Directory.GetFiles, EnumerateFiles, ...)
/// over the <see cref="ModuleFileSystem"/>. A stream hands out its directory's entries in order ("." and
/// ".." are not listed: CoreLib skips them anyway); an entry's name lives in the stream's own buffer
/// until the next ReadDir, as with readdir.
/// </summary>
public static unsafe class DirectoryStreams
{
    private const int HandleBase = 0x100;   // handles are opaque to CoreLib, only never 0
    private const int NameBufferSize = 256;
    private const int TypeDirectory = 4, TypeRegular = 8;   // DT_DIR, DT_REG

    /// <summary>CoreLib's Interop.Sys.DirectoryEntry.</summary>
    public struct DirectoryEntry
    {
        public byte* Name;
        public int NameLength;
        public int InodeType;
    }

    private sealed class DirectoryStream(FileTreeNode directory, byte* nameBuffer)
    {
        public readonly FileTreeNode Directory = directory;
        public readonly byte* NameBuffer = nameBuffer;
        public int Next;
    }

    private static readonly DirectoryStream?[] Streams = new DirectoryStream?[16];

    /// <summary>How many directory streams are open now.</summary>
    public static int OpenCount
    {
        get
        {
            int count = 0;
            foreach (DirectoryStream? stream in Streams)
                count += stream != null ? 1 : 0;
            return count;
        }
    }

    private static DirectoryStream? Lookup(nint handle) =>
        handle >= HandleBase && handle < HandleBase + Streams.Length ? Streams[handle - HandleBase] : null;

    [RuntimeExport("SystemNative_OpenDir")]
    private static nint OpenDir(byte* path)
    {
        FileTreeNode? node = ModuleFileSystem.Tree.Find(FileDescriptors.PathText(path));
        if (node == null || !node.IsDirectory)
        {
            Errno.Set(node == null ? Errno.ENOENT : Errno.ENOTDIR);
            return 0;
        }
        for (int slot = 0; slot < Streams.Length; slot++)
        {
            if (Streams[slot] == null)
            {
                Streams[slot] = new DirectoryStream(node, KernelHeap.Allocate(NameBufferSize));
                return HandleBase + slot;
            }
        }
        Errno.Set(Errno.EMFILE);
        return 0;
    }

    /// <summary>0 and the next entry; -1 at the end; an errno value on failure.</summary>
    [RuntimeExport("SystemNative_ReadDir")]
    private static int ReadDir(nint handle, DirectoryEntry* entry)
    {
        *entry = default;
        DirectoryStream? stream = Lookup(handle);
        if (stream == null)
            return Errno.EBADF;
        var children = stream.Directory.Children;
        if (stream.Next >= children.Count)
            return -1;
        FileTreeNode child = children[stream.Next++];
        int length = System.Text.Encoding.UTF8.GetBytes(child.Name, new System.Span<byte>(stream.NameBuffer, NameBufferSize - 1));
        stream.NameBuffer[length] = 0;
        entry->Name = stream.NameBuffer;
        entry->NameLength = length;
        entry->InodeType = child.IsDirectory ? TypeDirectory : TypeRegular;
        return 0;
    }

    [RuntimeExport("SystemNative_CloseDir")]
    private static int CloseDir(nint handle)
    {
        DirectoryStream? stream = Lookup(handle);
        if (stream == null)
            return Errno.Fail(Errno.EBADF);
        KernelHeap.Free(stream.NameBuffer);
        Streams[handle - HandleBase] = null;
        return 0;
    }
}
