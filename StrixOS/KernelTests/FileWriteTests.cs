using System;
using System.IO;
using System.Threading.Tasks;
using Microsoft.Win32.SafeHandles;
using StrixOS.Runtime;
using StrixOS.Testing;

namespace StrixOS.KernelTests;

/// <summary>
/// Every public System.IO call that writes, creates, moves, deletes or changes metadata, against the
/// read-only module file system: each must link and throw what .NET throws on a read-only Linux file
/// system. The expected outcomes are what host .NET 10 gave for the same calls on a read-only tmpfs (files
/// 0444, directories 0555): the same exception types, with CoreLib's messages as their resource keys
/// (UseSystemResourceKeys) and the kernel's EROFS text, which names the module file system.
/// </summary>
public static unsafe class FileWriteTests
{
    private const string Greeting = "/data/greeting.txt";
    private const string Numbers = "/data/numbers/numbers.txt";
    private const string NewFile = "/data/new.txt";
    private const string Data = "/data";
    private const string NewDirectory = "/data/newdir";
    private const string ReadOnlySystem = "Read-only file system (StrixOS files are GRUB modules)";

    public static void Register(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("FileWrites");
        suite.Add(nameof(WritingAndCreatingFilesIsRefused), &WritingAndCreatingFilesIsRefused);
        suite.Add(nameof(DeletingCopyingAndMovingFilesIsRefused), &DeletingCopyingAndMovingFilesIsRefused);
        suite.Add(nameof(AttributesTimesModesAndLinksAreRefused), &AttributesTimesModesAndLinksAreRefused);
        suite.Add(nameof(DirectoriesAreNeitherCreatedNorRemoved), &DirectoriesAreNeitherCreatedNorRemoved);
        suite.Add(nameof(ReadOnlyHandlesAndStreamsRefuseWrites), &ReadOnlyHandlesAndStreamsRefuseWrites);
        suite.Add(nameof(CurrentDirectoryFollowsSetCurrentDirectory), &CurrentDirectoryFollowsSetCurrentDirectory);
        suite.Add(nameof(FileEncryptionIsNotSupported), &FileEncryptionIsNotSupported);
        suite.Add(nameof(AsyncWritingAndCreatingFilesIsRefused), &AsyncWritingAndCreatingFilesIsRefused);
        suite.Add(nameof(AsyncWritesToReadOnlyHandlesAndStreamsAreRefused), &AsyncWritesToReadOnlyHandlesAndStreamsAreRefused);
    }

    /// <summary>"Type: message" of what the call threw, or "OK".</summary>
    private static string Outcome(Action call)
    {
        try
        {
            call();
            return "OK";
        }
        catch (Exception e)
        {
            return e.GetType().Name + ": " + e.Message;
        }
    }

    /// <summary>
    /// How an async call failed, as host .NET 10 tells it apart: "throws Type: message (HResult)" when the
    /// call itself threw, "faulted Type: message (HResult)" when it returned a task that failed, "OK" when
    /// the task completed; a task still running after 10 s is a hang, not an outcome.
    /// </summary>
    private static string AsyncOutcome(Func<Task> call)
    {
        Task task;
        try
        {
            task = call();
        }
        catch (Exception e)
        {
            return "throws " + Described(e);
        }
        try
        {
            if (!task.Wait(10_000))
            {
                return "still running after 10 s";
            }
            return "OK";
        }
        catch (AggregateException e) when (e.InnerException is not null)
        {
            return "faulted " + Described(e.InnerException);
        }
    }

    private static string Described(Exception e) => $"{e.GetType().Name}: {e.Message} (0x{e.HResult:X8})";

    /// <summary>EROFS as CoreLib reports it: HResult is the errno, 30.</summary>
    private static string ReadOnlyFault(string path) => $"faulted {ReadOnly(path)} (0x0000001E)";

    private static string ReadOnly(string path) => $"IOException: {ReadOnlySystem} : '{path}'";

    // By design: writing or creating a file (`File.WriteAllText`, `AppendAllText`, `Create`, `OpenWrite`, `new StreamWriter`, ...) | `IOException` "Read-only file system (StrixOS files are GRUB modules)", as .NET on a read-only Linux mount
    private static void WritingAndCreatingFilesIsRefused(TestContext t)
    {
        int open = FileDescriptors.OpenCount;
        t.Equal(ReadOnly(Greeting), Outcome(() => File.WriteAllText(Greeting, "x")));
        t.Equal(ReadOnly(NewFile), Outcome(() => File.WriteAllText(NewFile, "x")));
        t.Equal(ReadOnly(Greeting), Outcome(() => File.WriteAllBytes(Greeting, [1])));
        t.Equal(ReadOnly(NewFile), Outcome(() => File.WriteAllLines(NewFile, ["a"])));
        t.Equal(ReadOnly(Greeting), Outcome(() => File.AppendAllText(Greeting, "x")));
        t.Equal(ReadOnly(Greeting), Outcome(() => File.AppendAllLines(Greeting, ["a"])));
        t.Equal(ReadOnly(Greeting), Outcome(() => File.AppendAllBytes(Greeting, [1])));
        t.Equal(ReadOnly(Greeting), Outcome(() => File.AppendText(Greeting).Dispose()));
        t.Equal(ReadOnly(NewFile), Outcome(() => File.Create(NewFile).Dispose()));
        t.Equal(ReadOnly(NewFile), Outcome(() => File.CreateText(NewFile).Dispose()));
        t.Equal(ReadOnly(Greeting), Outcome(() => File.OpenWrite(Greeting).Dispose()));
        t.Equal(ReadOnly(Greeting), Outcome(() => File.Open(Greeting, FileMode.Open, FileAccess.ReadWrite).Dispose()));
        t.Equal(ReadOnly(NewFile), Outcome(() => File.Open(NewFile, FileMode.CreateNew).Dispose()));
        t.Equal(ReadOnly(Greeting), Outcome(() => File.OpenHandle(Greeting, FileMode.Open, FileAccess.Write).Dispose()));
        t.Equal(ReadOnly(NewFile), Outcome(() => new StreamWriter(NewFile).Dispose()));
        t.Equal(ReadOnly(NewFile), Outcome(() => new FileInfo(NewFile).Create().Dispose()));
        t.False(File.Exists(NewFile), "no file was created");
        t.Equal(open, FileDescriptors.OpenCount);
    }

    // By design: `File.Delete`, `Copy`, `Move`, `Replace` (and `FileInfo`'s) | `IOException` "Read-only file system (StrixOS files are GRUB modules)"
    private static void DeletingCopyingAndMovingFilesIsRefused(TestContext t)
    {
        t.Equal(ReadOnly(Greeting), Outcome(() => File.Delete(Greeting)));
        t.Equal("OK", Outcome(() => File.Delete(NewFile)));   // .NET: deleting a missing file is no error
        t.Equal(ReadOnly(Greeting), Outcome(() => new FileInfo(Greeting).Delete()));
        t.Equal(ReadOnly(NewFile), Outcome(() => File.Copy(Greeting, NewFile)));
        t.Equal(ReadOnly(Numbers), Outcome(() => File.Copy(Greeting, Numbers, overwrite: true)));
        t.Equal(ReadOnly(NewFile), Outcome(() => new FileInfo(Greeting).CopyTo(NewFile)));
        t.Equal("IOException: " + ReadOnlySystem, Outcome(() => File.Move(Greeting, NewFile)));
        t.Equal(ReadOnly(Numbers), Outcome(() => File.Move(Greeting, Numbers, overwrite: true)));
        t.Equal("IOException: " + ReadOnlySystem, Outcome(() => new FileInfo(Greeting).MoveTo(NewFile)));
        t.Equal("IOException: " + ReadOnlySystem, Outcome(() => File.Replace(Greeting, Numbers, null)));
        t.Equal("IOException: " + ReadOnlySystem, Outcome(() => new FileInfo(Greeting).Replace(Numbers, null)));
        t.True(File.Exists(Greeting) && File.Exists(Numbers) && !File.Exists(NewFile), "the files are as they were");
    }

    // By design: setting attributes, times or Unix modes; symbolic links | `IOException` "Read-only file system (StrixOS files are GRUB modules)"
    private static void AttributesTimesModesAndLinksAreRefused(TestContext t)
    {
        t.Equal(ReadOnly(Greeting), Outcome(() => File.SetAttributes(Greeting, FileAttributes.Normal)));
        t.Equal("OK", Outcome(() => File.SetAttributes(Greeting, File.GetAttributes(Greeting))));   // nothing to change
        t.Equal(ReadOnly(Greeting), Outcome(() => new FileInfo(Greeting).IsReadOnly = false));
        t.Equal(ReadOnly(Data), Outcome(() => new DirectoryInfo(Data).Attributes = FileAttributes.Hidden));
        t.Equal(ReadOnly(Greeting), Outcome(() => File.SetLastWriteTimeUtc(Greeting, DateTime.UtcNow)));
        t.Equal(ReadOnly(Greeting), Outcome(() => File.SetLastAccessTime(Greeting, DateTime.Now)));
        t.Equal(ReadOnly(Greeting), Outcome(() => File.SetCreationTime(Greeting, DateTime.Now)));
        t.Equal(ReadOnly(Greeting), Outcome(() => new FileInfo(Greeting).LastWriteTime = DateTime.Now));
        t.Equal(ReadOnly(Data), Outcome(() => Directory.SetLastWriteTimeUtc(Data, DateTime.UtcNow)));
        t.Equal(ReadOnly(Data), Outcome(() => Directory.SetCreationTime(Data, DateTime.Now)));
        t.Equal(ReadOnly(Data), Outcome(() => Directory.SetLastAccessTime(Data, DateTime.Now)));
        t.Equal(ReadOnly(Greeting), Outcome(() => File.SetUnixFileMode(Greeting, UnixFileMode.UserRead | UnixFileMode.UserWrite)));
        t.Equal(ReadOnly(Greeting), Outcome(() => new FileInfo(Greeting).UnixFileMode = UnixFileMode.UserRead));
        t.Equal(ReadOnly(Greeting), Outcome(() => WithHandle(h => File.SetUnixFileMode(h, UnixFileMode.UserRead))));
        t.Equal(ReadOnly(Greeting), Outcome(() => WithHandle(h => File.SetLastWriteTimeUtc(h, DateTime.UtcNow))));
        t.Equal(ReadOnly(Greeting), Outcome(() => WithHandle(h => File.SetAttributes(h, FileAttributes.Normal))));
        t.Equal(ReadOnly(NewFile), Outcome(() => File.CreateSymbolicLink(NewFile, Greeting)));
        t.Equal(ReadOnly(NewFile), Outcome(() => new FileInfo(NewFile).CreateAsSymbolicLink(Greeting)));
        t.Equal(ReadOnly(NewDirectory), Outcome(() => Directory.CreateSymbolicLink(NewDirectory, Data)));
        t.Equal((int)FileAttributes.ReadOnly, (int)(File.GetAttributes(Greeting) & FileAttributes.ReadOnly));
    }

    private static void WithHandle(Action<SafeFileHandle> use)
    {
        using SafeFileHandle handle = File.OpenHandle(Greeting);
        use(handle);
    }

    // By design: `Directory.CreateDirectory`, `Delete`, `Move`, `CreateTempSubdirectory`, `Path.GetTempFileName` | `IOException` (read-only file system; access denied for `Delete`; not found for the temporary folder), as .NET on a read-only Linux mount
    private static void DirectoriesAreNeitherCreatedNorRemoved(TestContext t)
    {
        const UnixFileMode Rwx = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        t.Equal(ReadOnly(NewDirectory), Outcome(() => Directory.CreateDirectory(NewDirectory)));
        t.Equal(ReadOnly(NewDirectory), Outcome(() => Directory.CreateDirectory(NewDirectory + "/a/b")));
        t.Equal(ReadOnly(NewDirectory), Outcome(() => Directory.CreateDirectory(NewDirectory, Rwx)));
        t.Equal(ReadOnly(NewDirectory), Outcome(() => new DirectoryInfo(NewDirectory).Create()));
        t.Equal(ReadOnly("/data/sub"), Outcome(() => new DirectoryInfo(Data).CreateSubdirectory("sub")));
        t.Equal(Data, Directory.CreateDirectory(Data).FullName);   // an existing directory: nothing to create
        string denied = "IOException: UnauthorizedAccess_IODenied_Path, " + Data;
        t.Equal(denied, Outcome(() => Directory.Delete(Data)));
        t.Equal(denied, Outcome(() => Directory.Delete(Data, recursive: true)));
        t.Equal(denied, Outcome(() => new DirectoryInfo(Data).Delete(recursive: true)));
        t.Equal("DirectoryNotFoundException: IO_PathNotFound_Path, " + NewDirectory, Outcome(() => Directory.Delete(NewDirectory)));
        t.Equal("IOException: " + ReadOnlySystem, Outcome(() => Directory.Move(Data, "/moved")));
        t.Equal("IOException: " + ReadOnlySystem, Outcome(() => new DirectoryInfo(Data).MoveTo("/moved")));
        // The temporary folder (TMPDIR, else /tmp/) is not on the image: Linux answers ENOENT there too.
        t.Equal("FileNotFoundException: IO_FileNotFound", Outcome(() => Directory.CreateTempSubdirectory("x")));
        t.Equal("DirectoryNotFoundException: IO_PathNotFound_Path, /tmp/", Outcome(() => Path.GetTempFileName()));
        t.True(Directory.Exists(Data) && !Directory.Exists(NewDirectory) && !Directory.Exists("/moved"), "the tree is as it was");
        t.Equal(2, Directory.GetFiles("/", "*", SearchOption.AllDirectories).Length);
    }

    // By design: `FileStream.Write`/`SetLength` on a read-only stream; `RandomAccess.Write` | `NotSupportedException`; `UnauthorizedAccessException`, as .NET on Linux
    private static void ReadOnlyHandlesAndStreamsRefuseWrites(TestContext t)
    {
        int open = FileDescriptors.OpenCount;
        t.Equal("NotSupportedException: NotSupported_UnwritableStream", Outcome(() => { using FileStream s = File.OpenRead(Greeting); s.Write([1]); }));
        t.Equal("NotSupportedException: NotSupported_UnwritableStream", Outcome(() => { using FileStream s = File.OpenRead(Greeting); s.SetLength(1); }));
        t.Equal("UnauthorizedAccessException: UnauthorizedAccess_IODenied_Path, " + Greeting, Outcome(() => WithHandle(h => RandomAccess.Write(h, new byte[] { 1 }, 0))));
        t.Equal($"IOException: Invalid argument : '{Greeting}'", Outcome(() => WithHandle(h => RandomAccess.SetLength(h, 1))));
        // Locks and flushes of a read-only stream work as on Linux: nothing else can hold the lock.
        t.Equal("OK", Outcome(() => { using FileStream s = File.OpenRead(Greeting); s.Lock(0, 1); s.Unlock(0, 1); }));
        t.Equal("OK", Outcome(() => { using FileStream s = File.OpenRead(Greeting); s.Flush(flushToDisk: true); }));
        t.Equal(open, FileDescriptors.OpenCount);
    }

    private static void CurrentDirectoryFollowsSetCurrentDirectory(TestContext t)
    {
        string before = Directory.GetCurrentDirectory();
        t.Equal("/", before);
        try
        {
            Directory.SetCurrentDirectory(Data);
            t.Equal(Data, Directory.GetCurrentDirectory());
            t.Equal(Data, Environment.CurrentDirectory);
            t.True(File.Exists("greeting.txt"), "a relative path starts at the current directory");
            t.Equal("/data/numbers/numbers.txt", Path.GetFullPath("numbers/numbers.txt"));
            t.Equal("DirectoryNotFoundException: IO_PathNotFound_Path, " + NewDirectory, Outcome(() => Directory.SetCurrentDirectory(NewDirectory)));
            t.Equal("DirectoryNotFoundException: IO_PathNotFound_Path, " + Greeting, Outcome(() => Directory.SetCurrentDirectory(Greeting)));
            t.Equal(Data, Directory.GetCurrentDirectory());
        }
        finally
        {
            Directory.SetCurrentDirectory(before);
        }
        t.Equal("/", Directory.GetCurrentDirectory());
    }

    // By design: `File.Encrypt`, `File.Decrypt` | `PlatformNotSupportedException`, as on Linux
    private static void FileEncryptionIsNotSupported(TestContext t)
    {
#pragma warning disable CA1416   // Windows-only on purpose: the check is that Linux's CoreLib refuses them
        t.Equal("PlatformNotSupportedException: PlatformNotSupported_FileEncryption", Outcome(() => File.Encrypt(Greeting)));
        t.Equal("PlatformNotSupportedException: PlatformNotSupported_FileEncryption", Outcome(() => File.Decrypt(Greeting)));
#pragma warning restore CA1416
    }

    // By design: `File.WriteAllTextAsync`, `WriteAllBytesAsync`, `WriteAllLinesAsync`, `AppendAllTextAsync`, `AppendAllLinesAsync`, `AppendAllBytesAsync`; an async `FileStream` or `StreamWriter` on a new file | a faulted task with `IOException` "Read-only file system (StrixOS files are GRUB modules)", as .NET on a read-only Linux mount
    private static void AsyncWritingAndCreatingFilesIsRefused(TestContext t)
    {
        int open = FileDescriptors.OpenCount;
        string greeting = File.ReadAllText(Greeting);
        t.Equal(ReadOnlyFault(Greeting), AsyncOutcome(() => File.WriteAllTextAsync(Greeting, "x")));
        t.Equal(ReadOnlyFault(NewFile), AsyncOutcome(() => File.WriteAllTextAsync(NewFile, "x")));
        t.Equal(ReadOnlyFault(Greeting), AsyncOutcome(() => File.WriteAllBytesAsync(Greeting, [1])));
        t.Equal(ReadOnlyFault(NewFile), AsyncOutcome(() => File.WriteAllBytesAsync(NewFile, [1])));
        t.Equal(ReadOnlyFault(NewFile), AsyncOutcome(() => File.WriteAllLinesAsync(NewFile, ["a"])));
        t.Equal(ReadOnlyFault(Greeting), AsyncOutcome(() => File.AppendAllTextAsync(Greeting, "x")));
        t.Equal(ReadOnlyFault(Greeting), AsyncOutcome(() => File.AppendAllLinesAsync(Greeting, ["a"])));
        t.Equal(ReadOnlyFault(Greeting), AsyncOutcome(() => File.AppendAllBytesAsync(Greeting, [1])));
        t.Equal(ReadOnlyFault(NewFile), AsyncOutcome(() => AsyncFileWrites.CreateAndWrite(NewFile)));
        t.Equal(ReadOnlyFault(Greeting), AsyncOutcome(() => AsyncFileWrites.CreateAndWrite(Greeting)));
        t.Equal(ReadOnlyFault(NewFile), AsyncOutcome(() => AsyncFileWrites.WriteText(NewFile, FileOptions.None)));
        t.Equal(ReadOnlyFault(NewFile), AsyncOutcome(() => AsyncFileWrites.WriteText(NewFile, FileOptions.Asynchronous)));
        t.False(File.Exists(NewFile), "no file was created");
        t.Equal(greeting, File.ReadAllText(Greeting));
        t.Equal(open, FileDescriptors.OpenCount);
    }

    // By design: `FileStream.WriteAsync` of a read-only stream, `StreamWriter` over one; `RandomAccess.WriteAsync` | `NotSupportedException`, `ArgumentException`; a faulted task with `UnauthorizedAccessException`, as .NET on Linux
    private static void AsyncWritesToReadOnlyHandlesAndStreamsAreRefused(TestContext t)
    {
        int open = FileDescriptors.OpenCount;
        const string Unwritable = "NotSupportedException: NotSupported_UnwritableStream (0x80131515)";
        string denied = $"faulted UnauthorizedAccessException: UnauthorizedAccess_IODenied_Path, {Greeting} (0x80070005)";
        using (FileStream stream = new(Greeting, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: true))
        {
            t.Equal("throws " + Unwritable, AsyncOutcome(() => stream.WriteAsync(new byte[] { 1 }).AsTask()));
            t.Equal("throws " + Unwritable, AsyncOutcome(() => stream.WriteAsync(new byte[] { 1 }, 0, 1)));
            t.Equal("OK", AsyncOutcome(() => stream.FlushAsync()));   // nothing buffered: as on Linux
        }
        t.Equal("faulted " + Unwritable, AsyncOutcome(() => AsyncFileWrites.CopyInto(Greeting)));
        t.Equal("faulted ArgumentException: Argument_StreamNotWritable (0x80070057)", AsyncOutcome(() => AsyncFileWrites.WriteThroughStreamWriter(Greeting)));
        using (SafeFileHandle handle = File.OpenHandle(Greeting))
        {
            t.Equal(denied, AsyncOutcome(() => RandomAccess.WriteAsync(handle, new byte[] { 1 }, 0).AsTask()));
            t.Equal(denied, AsyncOutcome(() => RandomAccess.WriteAsync(handle, new ReadOnlyMemory<byte>[] { new byte[] { 1 }, new byte[] { 2 } }, 0).AsTask()));
        }
        using (SafeFileHandle handle = File.OpenHandle(Greeting, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous))
        {
            t.Equal(denied, AsyncOutcome(() => RandomAccess.WriteAsync(handle, new byte[] { 1 }, 0).AsTask()));
        }
        t.Equal(open, FileDescriptors.OpenCount);
    }
}

/// <summary>Async bodies for <see cref="FileWriteTests"/> (await is not allowed in its unsafe context).</summary>
internal static class AsyncFileWrites
{
    public static async Task CreateAndWrite(string path)
    {
        await using FileStream stream = new(path, FileMode.Create, FileAccess.Write, FileShare.None, 4096, useAsync: true);
        await stream.WriteAsync(new byte[] { 1 });
    }

    public static async Task WriteText(string path, FileOptions options)
    {
        await using StreamWriter writer = new(path, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Options = options });
        await writer.WriteAsync("x");
        await writer.FlushAsync();
    }

    public static async Task CopyInto(string path)
    {
        await using FileStream source = File.OpenRead(path);
        await using FileStream target = File.OpenRead(path);
        await source.CopyToAsync(target);
    }

    public static async Task WriteThroughStreamWriter(string path)
    {
        FileStream stream = File.OpenRead(path);
        try
        {
            await using StreamWriter writer = new(stream);
            await writer.WriteAsync("x");
        }
        finally
        {
            await stream.DisposeAsync();
        }
    }
}
