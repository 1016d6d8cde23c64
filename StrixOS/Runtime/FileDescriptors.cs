using System;
using System.Runtime;
using System.Text;
using StrixOS.Drivers;
using StrixOS.Files;

namespace StrixOS.Runtime;

/// <summary>
/// The file-descriptor calls CoreLib's Unix file code makes (SystemNative_Open, Read, PRead, LSeek, FStat, ...),
/// over the read-only <see cref="ModuleFileSystem"/>. Descriptors 1 and 2 write to the serial console
/// (Debug.WriteLine, Console's raw stream) and 0 reads as empty; 3 and up are open files or directories.
/// Anything that would write, create, truncate or delete a file answers EROFS, which CoreLib raises as an
/// IOException ("Read-only file system"); a path the tree lacks answers ENOENT (FileNotFoundException,
/// DirectoryNotFoundException). TimeZoneInfo reaches this code only when TZ names a zone (KernelEnvironment
/// sets TZ empty: local time is UTC).
/// </summary>
public static unsafe class FileDescriptors
{
    private const int StandardInput = 0, StandardOutput = 1, StandardError = 2, FirstFile = 3;
    private const int PalWriteOnly = 0x1, PalReadWrite = 0x2, PalCreate = 0x20, PalTruncate = 0x80;
    private const int SeekSet = 0, SeekCurrent = 1, SeekEnd = 2;

    /// <summary>One open file: what it is and where the next Read starts.</summary>
    private sealed class OpenFile(FileTreeNode node)
    {
        public readonly FileTreeNode Node = node;
        public long Position;
    }

    private static readonly OpenFile?[] OpenFiles = new OpenFile?[64];

    private static bool IsStandard(nint fd) => fd >= StandardInput && fd <= StandardError;

    /// <summary>Bytes written to standard output and error since boot (tests check Debug.WriteLine with it).</summary>
    public static ulong StandardBytesWritten { get; private set; }

    /// <summary>How many files and directories are open now (tests check that CoreLib closes what it opens).</summary>
    public static int OpenCount
    {
        get
        {
            int count = 0;
            foreach (OpenFile? file in OpenFiles)
                count += file != null ? 1 : 0;
            return count;
        }
    }

    /// <summary>A path from CoreLib: NUL-terminated UTF-8.</summary>
    internal static string PathText(byte* path)
    {
        int length = 0;
        while (path[length] != 0)
            length++;
        return Encoding.UTF8.GetString(path, length);
    }

    private static OpenFile? Lookup(nint fd) =>
        fd >= FirstFile && fd < FirstFile + OpenFiles.Length ? OpenFiles[fd - FirstFile] : null;

    [RuntimeExport("SystemNative_Open")]
    private static nint Open(byte* path, int flags, int mode)
    {
        FileTreeNode? node = ModuleFileSystem.Tree.Find(PathText(path));
        if ((flags & (PalWriteOnly | PalReadWrite | PalCreate | PalTruncate)) != 0)
            return Errno.Fail(node == null && (flags & PalCreate) == 0 ? Errno.ENOENT : Errno.EROFS);
        if (node == null)
            return Errno.Fail(Errno.ENOENT);
        for (int slot = 0; slot < OpenFiles.Length; slot++)
        {
            if (OpenFiles[slot] == null)
            {
                OpenFiles[slot] = new OpenFile(node);
                return FirstFile + slot;
            }
        }
        return Errno.Fail(Errno.EMFILE);
    }

    [RuntimeExport("SystemNative_Close")]
    private static int Close(nint fd)
    {
        if (IsStandard(fd))
            return 0;
        if (Lookup(fd) == null)
            return Errno.Fail(Errno.EBADF);
        OpenFiles[fd - FirstFile] = null;
        return 0;
    }

    /// <summary>Copies up to size bytes of the file from offset; 0 at or past the end.</summary>
    private static int ReadAt(OpenFile file, byte* buffer, int size, long offset)
    {
        if (file.Node.IsDirectory)
            return Errno.Fail(Errno.EISDIR);
        if (size < 0 || offset < 0)
            return Errno.Fail(Errno.EINVAL);
        long available = file.Node.Length - offset;
        int count = available <= 0 ? 0 : (int)Math.Min(available, size);
        if (count > 0)
            Buffer.MemoryCopy((byte*)file.Node.Address + offset, buffer, size, count);
        return count;
    }

    [RuntimeExport("SystemNative_Read")]
    private static int Read(nint fd, byte* buffer, int size)
    {
        if (fd == StandardInput)
            return 0;
        OpenFile? file = Lookup(fd);
        if (file == null)
            return Errno.Fail(Errno.EBADF);
        int count = ReadAt(file, buffer, size, file.Position);
        if (count > 0)
            file.Position += count;
        return count;
    }

    [RuntimeExport("SystemNative_Write")]
    private static int Write(nint fd, byte* buffer, int size)
    {
        if (fd != StandardOutput && fd != StandardError)
            return Errno.Fail(Errno.EBADF);   // files are only ever opened read-only
        for (int i = 0; i < size; i++)
        {
            if (buffer[i] == '\n')
                SerialPort.Com1.WriteByte((byte)'\r');
            SerialPort.Com1.WriteByte(buffer[i]);
        }
        StandardBytesWritten += (ulong)size;
        return size;
    }

    [RuntimeExport("SystemNative_PRead")]
    private static int PRead(nint fd, byte* buffer, int size, long offset)
    {
        OpenFile? file = Lookup(fd);
        if (file == null)
            return Errno.Fail(IsStandard(fd) ? Errno.ESPIPE : Errno.EBADF);
        return ReadAt(file, buffer, size, offset);
    }

    [RuntimeExport("SystemNative_PWrite")]
    private static int PWrite(nint fd, byte* buffer, int size, long offset) =>
        Errno.Fail(IsStandard(fd) ? Errno.ESPIPE : Errno.EBADF);

    /// <summary>CoreLib's Interop.Sys.IOVector (struct iovec).</summary>
    public struct IOVector
    {
        public byte* Base;
        public nuint Count;
    }

    [RuntimeExport("SystemNative_PReadV")]
    private static long PReadV(nint fd, IOVector* vectors, int vectorCount, long offset)
    {
        OpenFile? file = Lookup(fd);
        if (file == null)
            return Errno.Fail(IsStandard(fd) ? Errno.ESPIPE : Errno.EBADF);
        if (vectorCount < 0)
            return Errno.Fail(Errno.EINVAL);
        long total = 0;
        for (int i = 0; i < vectorCount; i++)
        {
            int size = (int)Math.Min(vectors[i].Count, int.MaxValue);
            int count = ReadAt(file, vectors[i].Base, size, offset + total);
            if (count < 0)
                return count;
            total += count;
            if (count < size)
                break;
        }
        return total;
    }

    [RuntimeExport("SystemNative_PWriteV")]
    private static long PWriteV(nint fd, IOVector* vectors, int vectorCount, long offset) =>
        Errno.Fail(IsStandard(fd) ? Errno.ESPIPE : Errno.EBADF);

    [RuntimeExport("SystemNative_LSeek")]
    private static long LSeek(nint fd, long offset, int whence)
    {
        OpenFile? file = Lookup(fd);
        if (file == null)
            return Errno.Fail(IsStandard(fd) ? Errno.ESPIPE : Errno.EBADF);
        long origin = whence switch { SeekSet => 0, SeekCurrent => file.Position, SeekEnd => file.Node.Length, _ => -1 };
        if (origin < 0 || origin + offset < 0)
            return Errno.Fail(Errno.EINVAL);
        file.Position = origin + offset;
        return file.Position;
    }

    [RuntimeExport("SystemNative_Stat")]
    private static int Stat(byte* path, FileStatus* status)
    {
        FileTreeNode? node = ModuleFileSystem.Tree.Find(PathText(path));
        if (node == null)
            return Errno.Fail(Errno.ENOENT);
        FileStatus.Fill(status, node);
        return 0;
    }

    // No symbolic links: lstat is stat.
    [RuntimeExport("SystemNative_LStat")]
    private static int LStat(byte* path, FileStatus* status) => Stat(path, status);

    [RuntimeExport("SystemNative_FStat")]
    private static int FStat(nint fd, FileStatus* status)
    {
        OpenFile? file = Lookup(fd);
        if (file == null)
            return Errno.Fail(Errno.EBADF);
        FileStatus.Fill(status, file.Node);
        return 0;
    }

    [RuntimeExport("SystemNative_FTruncate")]
    private static int FTruncate(nint fd, long length) => Errno.Fail(Lookup(fd) != null ? Errno.EINVAL : Errno.EBADF);

    [RuntimeExport("SystemNative_FAllocate")]
    private static int FAllocate(nint fd, long offset, long length) => Errno.Fail(Errno.EBADF);

    // Nothing else can hold a lock: every lock is granted at once.
    [RuntimeExport("SystemNative_FLock")]
    private static int FLock(nint fd, int operation) => Lookup(fd) != null ? 0 : Errno.Fail(Errno.EBADF);

    [RuntimeExport("SystemNative_FSync")]
    private static int FSync(nint fd) => IsStandard(fd) || Lookup(fd) != null ? 0 : Errno.Fail(Errno.EBADF);

    // Nothing else can hold a lock: every byte-range lock (FileStream.Lock) is granted at once.
    [RuntimeExport("SystemNative_LockFileRegion")]
    private static int LockFileRegion(nint fd, long offset, long length, short lockType) =>
        Lookup(fd) != null ? 0 : Errno.Fail(Errno.EBADF);

    // Metadata of an open file cannot change either (fchmod, futimens on a read-only mount).
    [RuntimeExport("SystemNative_FChMod")]
    private static int FChMod(nint fd, int mode) => Errno.Fail(Lookup(fd) != null ? Errno.EROFS : Errno.EBADF);

    [RuntimeExport("SystemNative_FUTimens")]
    private static int FUTimens(nint fd, void* times) => Errno.Fail(Lookup(fd) != null ? Errno.EROFS : Errno.EBADF);

    // Linux has no file flags: CoreLib only calls this where the platform has them.
    [RuntimeExport("SystemNative_FChflags")]
    private static int FChflags(nint fd, uint flags) => Errno.Fail(Errno.ENOTSUP);

    /// <summary>File.Copy's data copy: the destination would have to be open for writing, which no file ever is.</summary>
    [RuntimeExport("SystemNative_CopyFile")]
    private static int CopyFile(nint source, nint destination, long sourceLength) => Errno.Fail(Errno.EBADF);

    [RuntimeExport("SystemNative_PosixFAdvise")]
    private static int PosixFAdvise(nint fd, long offset, long length, int advice) => 0;

    [RuntimeExport("SystemNative_GetFileSystemType")]
    private static uint GetFileSystemType(nint fd) => 0;

    [RuntimeExport("SystemNative_Unlink")]
    private static int Unlink(byte* path) =>
        Errno.Fail(ModuleFileSystem.Tree.Find(PathText(path)) != null ? Errno.EROFS : Errno.ENOENT);

    [RuntimeExport("SystemNative_ReadLink")]
    private static int ReadLink(byte* path, byte* buffer, int size) =>
        Errno.Fail(ModuleFileSystem.Tree.Find(PathText(path)) != null ? Errno.EINVAL : Errno.ENOENT);

    [RuntimeExport("SystemNative_CanGetHiddenFlag")]
    private static int CanGetHiddenFlag() => 0;

    [RuntimeExport("SystemNative_LChflagsCanSetHiddenFlag")]
    private static int LChflagsCanSetHiddenFlag() => 0;
}
