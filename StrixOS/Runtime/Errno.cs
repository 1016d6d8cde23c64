using System.Runtime;

namespace StrixOS.Runtime;

/// <summary>
/// errno for CoreLib's SystemNative calls. The kernel is the platform, so it uses Linux's numbers;
/// CoreLib converts them to its own PAL codes (pal_error_common.h) to pick the exception and message.
/// </summary>
public static unsafe class Errno
{
    public const int EPERM = 1, ENOENT = 2, EIO = 5, EBADF = 9, ENOMEM = 12, EACCES = 13, EEXIST = 17,
        ENOTDIR = 20, EISDIR = 21, EINVAL = 22, EMFILE = 24, ESPIPE = 29, EROFS = 30, ERANGE = 34,
        ENOSYS = 38, ENOTSUP = 95;

    private static int s_value;

    public static int Value => s_value;

    public static void Set(int value) => s_value = value;

    /// <summary>Sets errno and returns -1, the usual failure value.</summary>
    public static int Fail(int value)
    {
        s_value = value;
        return -1;
    }

    [RuntimeExport("SystemNative_GetErrNo")]
    private static int GetErrNo() => s_value;

    [RuntimeExport("SystemNative_SetErrNo")]
    private static void SetErrNo(int value) => s_value = value;

    // Linux errno <-> PAL error (the PAL values are fixed by CoreLib's Interop.Error enum).
    private static readonly int[] Pairs =
    [
        0, 0,
        EPERM, 0x10042, ENOENT, 0x1002D, EIO, 0x1001D, EBADF, 0x10008, ENOMEM, 0x10031, EACCES, 0x10002,
        EEXIST, 0x10014, ENOTDIR, 0x10039, EISDIR, 0x1001F, EINVAL, 0x1001C, EMFILE, 0x10021,
        ESPIPE, 0x10049, EROFS, 0x10048, ERANGE, 0x10047, ENOSYS, 0x10037, ENOTSUP, 0x1003D,
    ];

    private const int PalNonStandard = 0x1FFFF;

    [RuntimeExport("SystemNative_ConvertErrorPlatformToPal")]
    public static int PlatformToPal(int platform)
    {
        for (int i = 0; i < Pairs.Length; i += 2)
            if (Pairs[i] == platform)
                return Pairs[i + 1];
        return PalNonStandard;
    }

    [RuntimeExport("SystemNative_ConvertErrorPalToPlatform")]
    public static int PalToPlatform(int pal)
    {
        for (int i = 0; i < Pairs.Length; i += 2)
            if (Pairs[i + 1] == pal)
                return Pairs[i];
        return -1;
    }

    /// <summary>The text of an errno value, written into the caller's buffer (strerror_r).</summary>
    [RuntimeExport("SystemNative_StrErrorR")]
    private static byte* StrErrorR(int platform, byte* buffer, int size)
    {
        string text = Describe(platform);
        if (buffer == null || size <= 0)
            return null;
        int n = text.Length < size - 1 ? text.Length : size - 1;
        for (int i = 0; i < n; i++)
            buffer[i] = (byte)text[i];
        buffer[n] = 0;
        return n == text.Length ? buffer : null;
    }

    public static string Describe(int platform) => platform switch
    {
        0 => "Success",
        EPERM => "Operation not permitted",
        ENOENT => "No such file or directory",
        EIO => "Input/output error",
        EBADF => "Bad file descriptor",
        ENOMEM => "Cannot allocate memory",
        EACCES => "Permission denied",
        EEXIST => "File exists",
        ENOTDIR => "Not a directory",
        EISDIR => "Is a directory",
        EINVAL => "Invalid argument",
        EMFILE => "Too many open files",
        ESPIPE => "Illegal seek",
        EROFS => "Read-only file system (StrixOS files are GRUB modules)",
        ERANGE => "Numerical result out of range",
        ENOSYS => "Function not implemented in StrixOS",
        ENOTSUP => "Operation not supported",
        _ => "Unknown error",
    };
}
