using StrixOS.Files;

namespace StrixOS.Runtime;

/// <summary>
/// CoreLib's Interop.Sys.FileStatus (what SystemNative_Stat/LStat/FStat fill): flags, mode, uid, gid,
/// then size, the three times with nanoseconds, birth time, dev, rdev, inode and user flags. Files are
/// read-only (mode 0444, directories 0555), owned by root, with every time at the Unix epoch.
/// </summary>
public struct FileStatus
{
    public const int TypeDirectory = 0x4000, TypeRegular = 0x8000;

    public int Flags;
    public int Mode;
    public uint Uid;
    public uint Gid;
    public long Size;
    public long ATime, ATimeNsec, MTime, MTimeNsec, CTime, CTimeNsec, BirthTime, BirthTimeNsec;
    public long Dev;
    public long RDev;
    public long Ino;
    public uint UserFlags;

    internal static unsafe void Fill(FileStatus* status, FileTreeNode node)
    {
        *status = default;
        status->Mode = node.IsDirectory ? TypeDirectory | 0x16D : TypeRegular | 0x124;
        status->Size = node.Length;
        status->Dev = 1;
        status->Ino = (long)(uint)node.Path.GetHashCode() + 1;
    }
}
