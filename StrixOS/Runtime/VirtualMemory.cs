using System.Runtime;
using StrixOS.Diagnostics;

namespace StrixOS.Runtime;

/// <summary>
/// mmap, munmap and mprotect as CoreLib uses them: anonymous read-write memory, chiefly the frozen-object
/// heap that holds the runtime's Type objects (typeof(T), GetType(), type and enum names). A mapping is
/// page-aligned, zeroed memory from the kernel heap, committed at once; mprotect to read-write or to
/// none is accepted (the pages stay read-write: the kernel heap is one NX region). Executable memory
/// (CoreLib's thunk pool) is refused with EACCES: the kernel never maps a page writable and executable.
/// File mappings are refused with ENODEV.
/// </summary>
internal static unsafe class VirtualMemory
{
    private const int ProtectionExecute = 0x4;
    private const int MapAnonymous = 0x10;
    private const ulong PageSize = 4096;
    private static readonly void* MapFailed = (void*)-1;

    // Aligned start -> the heap block behind it, so that munmap can give it back.
    private const int MaxMappings = 64;
    private static readonly ulong* AlignedStarts = (ulong*)KernelHeap.Allocate(MaxMappings * 8);
    private static readonly ulong* Blocks = (ulong*)KernelHeap.Allocate(MaxMappings * 8);

    [RuntimeExport("SystemNative_MMap")]
    private static void* MMap(void* address, ulong length, int protection, int flags, long fd, long offset)
    {
        if ((protection & ProtectionExecute) != 0)
            return Fail(Errno.EACCES, "mmap: executable memory requested; StrixOS never maps writable code");
        if ((flags & MapAnonymous) == 0)
            return Fail(19 /* ENODEV */, null);
        if (length == 0)
            return Fail(Errno.EINVAL, null);
        int slot = FreeSlot();
        if (slot < 0)
            return Fail(Errno.ENOMEM, "mmap: more than 64 mappings at once");
        byte* block = KernelHeap.Allocate(length + PageSize);
        ulong aligned = ((ulong)block + PageSize - 1) & ~(PageSize - 1);
        AlignedStarts[slot] = aligned;
        Blocks[slot] = (ulong)block;
        return (void*)aligned;
    }

    [RuntimeExport("SystemNative_MUnmap")]
    private static int MUnmap(void* address, ulong length)
    {
        for (int i = 0; i < MaxMappings; i++)
        {
            if (AlignedStarts[i] == (ulong)address && address != null)
            {
                KernelHeap.Free((byte*)Blocks[i]);
                AlignedStarts[i] = 0;
                Blocks[i] = 0;
                return 0;
            }
        }
        return Errno.Fail(Errno.EINVAL);
    }

    [RuntimeExport("SystemNative_MProtect")]
    private static int MProtect(void* address, ulong length, int protection)
    {
        if ((protection & ProtectionExecute) != 0)
        {
            KernelLog.Warning("mprotect: executable memory requested; StrixOS never maps writable code");
            return Errno.Fail(Errno.EACCES);
        }
        return 0;
    }

    private static int FreeSlot()
    {
        for (int i = 0; i < MaxMappings; i++)
            if (AlignedStarts[i] == 0)
                return i;
        return -1;
    }

    private static void* Fail(int errno, string? warning)
    {
        if (warning != null)
            KernelLog.Warning(warning);
        Errno.Set(errno);
        return MapFailed;
    }
}
