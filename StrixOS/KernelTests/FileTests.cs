using System;
using System.IO;
using System.Linq;
using StrixOS.Runtime;
using StrixOS.Testing;

namespace StrixOS.KernelTests;

/// <summary>
/// CoreLib's file API over the read-only module file system: the two files StrixOS.csproj puts on the
/// image with StrixFile items (KernelTests/Files), read through File, FileStream, StreamReader and
/// Directory; writes are refused with an IOException naming the read-only file system.
/// </summary>
public static unsafe class FileTests
{
    private const string Greeting = "/data/greeting.txt";
    private const string Numbers = "/data/numbers/numbers.txt";
    private const string GreetingText = "StrixOS reads this file from a GRUB module.\nSecond line: h\u00e9llo, \u03bb, \u20ac.\n";
    private const int NumberLines = 3000;
    private const long NumbersLength = 10 * 2 + 90 * 3 + 900 * 4 + 2000 * 5;   // "0\n" .. "2999\n"

    public static void Register(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("Files");
        suite.Add(nameof(ModulesAreFilesAndTheirPathsDirectories), &ModulesAreFilesAndTheirPathsDirectories);
        suite.Add(nameof(ReadAllTextDecodesUtf8), &ReadAllTextDecodesUtf8);
        suite.Add(nameof(ReadAllBytesAndLinesReadEveryByte), &ReadAllBytesAndLinesReadEveryByte);
        suite.Add(nameof(OpenReadSeeksAndReads), &OpenReadSeeksAndReads);
        suite.Add(nameof(StreamReaderReadsLineByLine), &StreamReaderReadsLineByLine);
        suite.Add(nameof(DirectoryListsFilesAndSubdirectories), &DirectoryListsFilesAndSubdirectories);
        suite.Add(nameof(WritesAreRefusedWithAMessage), &WritesAreRefusedWithAMessage);
        suite.Add(nameof(MissingPathsThrowNotFound), &MissingPathsThrowNotFound);
    }

    private static void ModulesAreFilesAndTheirPathsDirectories(TestContext t)
    {
        t.True(File.Exists(Greeting), Greeting);
        t.True(File.Exists(Numbers), Numbers);
        t.True(File.Exists("/data/./numbers/../greeting.txt"), "path with . and ..");
        t.False(File.Exists("/data/missing.txt"), "missing file");
        t.False(File.Exists("/data"), "a directory is not a file");
        t.True(Directory.Exists("/data"), "/data");
        t.True(Directory.Exists("/data/numbers/"), "/data/numbers/");
        t.False(Directory.Exists(Greeting), "a file is not a directory");
        t.Equal(74L, new FileInfo(Greeting).Length);
        t.Equal(NumbersLength, new FileInfo(Numbers).Length);
        t.True((File.GetAttributes(Greeting) & FileAttributes.ReadOnly) != 0, "read-only attribute");
    }

    private static void ReadAllTextDecodesUtf8(TestContext t)
    {
        int open = FileDescriptors.OpenCount;
        t.Equal(GreetingText, File.ReadAllText(Greeting));
        t.Equal(open, FileDescriptors.OpenCount);
    }

    private static void ReadAllBytesAndLinesReadEveryByte(TestContext t)
    {
        byte[] bytes = File.ReadAllBytes(Numbers);
        t.Equal(NumbersLength, bytes.LongLength);
        t.Equal((int)'0', (int)bytes[0]);
        t.Equal("2999\n", System.Text.Encoding.ASCII.GetString(bytes, bytes.Length - 5, 5));
        string[] lines = File.ReadAllLines(Numbers);
        t.Equal(NumberLines, lines.Length);
        for (int i = 0; i < lines.Length; i++)
            if (!t.Equal(i.ToString(), lines[i]))
                break;
        t.Equal(2, File.ReadAllLines(Greeting).Length);
    }

    private static void OpenReadSeeksAndReads(TestContext t)
    {
        int open = FileDescriptors.OpenCount;
        using (FileStream stream = File.OpenRead(Numbers))
        {
            t.True(stream.CanRead && stream.CanSeek && !stream.CanWrite, "read-only, seekable");
            t.Equal(NumbersLength, stream.Length);
            t.Equal(open + 1, FileDescriptors.OpenCount);
            const long line1000 = 10 * 2 + 90 * 3 + 900 * 4;
            t.Equal(line1000, stream.Seek(line1000, SeekOrigin.Begin));
            byte[] buffer = new byte[5];
            t.Equal(5, stream.Read(buffer, 0, 5));
            t.Equal("1000\n", System.Text.Encoding.ASCII.GetString(buffer));
            t.Equal(line1000 + 5, stream.Position);
            stream.Seek(-5, SeekOrigin.End);
            t.Equal(5, stream.Read(buffer, 0, 5));
            t.Equal("2999\n", System.Text.Encoding.ASCII.GetString(buffer));
            t.Equal(-1, stream.ReadByte());
            t.Equal(0, stream.Read(buffer, 0, 5));
            stream.Position = 2;
            t.Equal((int)'1', stream.ReadByte());
        }
        t.Equal(open, FileDescriptors.OpenCount);
    }

    private static void StreamReaderReadsLineByLine(TestContext t)
    {
        using var reader = new StreamReader(Numbers);
        int expected = 0;
        string? line;
        while ((line = reader.ReadLine()) != null)
        {
            if (!t.Equal(expected.ToString(), line))
                return;
            expected++;
        }
        t.Equal(NumberLines, expected);
    }

    private static void DirectoryListsFilesAndSubdirectories(TestContext t)
    {
        t.Equal("/data/greeting.txt", string.Join(",", Directory.GetFiles("/data")));
        t.Equal("/data/numbers", string.Join(",", Directory.GetDirectories("/data")));
        t.Equal("/data", string.Join(",", Directory.GetDirectories("/")));
        string[] all = Directory.GetFiles("/", "*.txt", SearchOption.AllDirectories);
        Array.Sort(all, StringComparer.Ordinal);
        t.Equal("/data/greeting.txt,/data/numbers/numbers.txt", string.Join(",", all));
        t.Equal(2, Directory.EnumerateFileSystemEntries("/data").Count());
        t.Equal("numbers.txt", new DirectoryInfo("/data/numbers").GetFiles().Single().Name);
        t.Equal(0, DirectoryStreams.OpenCount);
    }

    private static void WritesAreRefusedWithAMessage(TestContext t)
    {
        ExpectReadOnly(t, () => File.WriteAllText(Greeting, "changed"), "WriteAllText over a file");
        ExpectReadOnly(t, () => File.WriteAllText("/data/new.txt", "new"), "WriteAllText of a new file");
        ExpectReadOnly(t, () => File.Delete(Greeting), "Delete");
        ExpectReadOnly(t, () => new FileStream(Greeting, FileMode.Open, FileAccess.ReadWrite).Dispose(), "FileStream for writing");
        t.Equal(GreetingText, File.ReadAllText(Greeting));
    }

    private static void ExpectReadOnly(TestContext t, Action write, string what)
    {
        try
        {
            write();
            t.Fail($"{what}: no exception");
        }
        catch (IOException e)
        {
            t.True(e.Message.Contains("Read-only file system"), $"{what}: {e.Message}");
        }
    }

    // By design: a path that is not on the image | `FileNotFoundException` / `DirectoryNotFoundException`, as .NET on Linux
    private static void MissingPathsThrowNotFound(TestContext t)
    {
        int open = FileDescriptors.OpenCount;
        try
        {
            File.ReadAllText("/data/missing.txt");
            t.Fail("no exception for a missing file");
        }
        catch (FileNotFoundException e)
        {
            t.Equal("/data/missing.txt", e.FileName);
        }
        try
        {
            Directory.GetFiles("/nowhere");
            t.Fail("no exception for a missing directory");
        }
        catch (DirectoryNotFoundException e)
        {
            t.True(e.Message.Contains("/nowhere"), e.Message);
        }
        try
        {
            File.ReadAllBytes("/data");
            t.Fail("no exception for reading a directory");
        }
        catch (UnauthorizedAccessException e)
        {
            t.True(e.Message.Contains("/data"), e.Message);
        }
        t.Equal(open, FileDescriptors.OpenCount);
    }
}
