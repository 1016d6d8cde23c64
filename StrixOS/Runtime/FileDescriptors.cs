using System;
using System.Runtime;
using StrixOS.Drivers;

namespace StrixOS.Runtime;

/// <summary>
/// The file-descriptor calls CoreLib makes (SystemNative_Open, Read, Write, Stat, ...). File descriptors
/// 1 and 2 write to the serial console (Debug.WriteLine, Console's raw stream); 0 reads as empty. There
/// is no file system yet: opening or inspecting any path answers ENOENT, and anything that would write,
/// create or delete a file answers EROFS, so CoreLib raises FileNotFoundException / IOException (or, while
/// exceptions are not caught, a panic naming that exception), never a page fault. TimeZoneInfo reaches
/// this code only when TZ names a zone (KernelEnvironment sets TZ empty: local time is UTC).
/// </summary>
public static unsafe class FileDescriptors
{
    private const int StandardInput = 0, StandardOutput = 1, StandardError = 2;
    private const int PalWriteOnly = 0x1, PalReadWrite = 0x2, PalCreate = 0x20, PalTruncate = 0x80;

    private static bool IsStandard(nint fd) => fd >= StandardInput && fd <= StandardError;

    /// <summary>Bytes written to standard output and error since boot (tests check Debug.WriteLine with it).</summary>
    public static ulong StandardBytesWritten { get; private set; }

    [RuntimeExport("SystemNative_Open")]
    private static nint Open(byte* path, int flags, int mode) =>
        (flags & (PalWriteOnly | PalReadWrite | PalCreate | PalTruncate)) != 0 ? Errno.Fail(Errno.EROFS) : Errno.Fail(Errno.ENOENT);

    [RuntimeExport("SystemNative_Close")]
    private static int Close(nint fd) => IsStandard(fd) ? 0 : Errno.Fail(Errno.EBADF);

    [RuntimeExport("SystemNative_Read")]
    private static int Read(nint fd, byte* buffer, int size) => fd == StandardInput ? 0 : Errno.Fail(Errno.EBADF);

    [RuntimeExport("SystemNative_Write")]
    private static int Write(nint fd, byte* buffer, int size)
    {
        if (fd != StandardOutput && fd != StandardError)
            return Errno.Fail(Errno.EBADF);
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
    private static int PRead(nint fd, byte* buffer, int size, long offset) => Errno.Fail(IsStandard(fd) ? Errno.ESPIPE : Errno.EBADF);

    [RuntimeExport("SystemNative_PWrite")]
    private static int PWrite(nint fd, byte* buffer, int size, long offset) => Errno.Fail(IsStandard(fd) ? Errno.ESPIPE : Errno.EBADF);

    [RuntimeExport("SystemNative_LSeek")]
    private static long LSeek(nint fd, long offset, int whence) => Errno.Fail(IsStandard(fd) ? Errno.ESPIPE : Errno.EBADF);

    [RuntimeExport("SystemNative_Stat")]
    private static int Stat(byte* path, void* status) => Errno.Fail(Errno.ENOENT);

    [RuntimeExport("SystemNative_LStat")]
    private static int LStat(byte* path, void* status) => Errno.Fail(Errno.ENOENT);

    [RuntimeExport("SystemNative_FStat")]
    private static int FStat(nint fd, void* status) => Errno.Fail(Errno.EBADF);

    [RuntimeExport("SystemNative_FTruncate")]
    private static int FTruncate(nint fd, long length) => Errno.Fail(Errno.EBADF);

    [RuntimeExport("SystemNative_FAllocate")]
    private static int FAllocate(nint fd, long offset, long length) => Errno.Fail(Errno.EBADF);

    [RuntimeExport("SystemNative_FLock")]
    private static int FLock(nint fd, int operation) => Errno.Fail(Errno.EBADF);

    [RuntimeExport("SystemNative_FSync")]
    private static int FSync(nint fd) => IsStandard(fd) ? 0 : Errno.Fail(Errno.EBADF);

    [RuntimeExport("SystemNative_PosixFAdvise")]
    private static int PosixFAdvise(nint fd, long offset, long length, int advice) => 0;

    [RuntimeExport("SystemNative_GetFileSystemType")]
    private static uint GetFileSystemType(nint fd) => 0;

    [RuntimeExport("SystemNative_OpenDir")]
    private static nint OpenDir(byte* path)
    {
        Errno.Set(Errno.ENOENT);
        return 0;
    }

    [RuntimeExport("SystemNative_ReadDir")]
    private static int ReadDir(nint directory, void* entry) => Errno.Fail(Errno.EBADF);

    [RuntimeExport("SystemNative_CloseDir")]
    private static int CloseDir(nint directory) => Errno.Fail(Errno.EBADF);

    [RuntimeExport("SystemNative_Unlink")]
    private static int Unlink(byte* path) => Errno.Fail(Errno.EROFS);

    [RuntimeExport("SystemNative_ReadLink")]
    private static int ReadLink(byte* path, byte* buffer, int size) => Errno.Fail(Errno.ENOENT);

    [RuntimeExport("SystemNative_CanGetHiddenFlag")]
    private static int CanGetHiddenFlag() => 0;

    [RuntimeExport("SystemNative_LChflagsCanSetHiddenFlag")]
    private static int LChflagsCanSetHiddenFlag() => 0;
}
