using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Threading;
using StrixOS.Boot;
using StrixOS.Runtime;
using StrixOS.Testing;

namespace StrixOS.KernelTests;

/// <summary>What CoreLib asks of the platform: clock, randomness, environment, debug output, thread statics, blobs.</summary>
public static unsafe class PlatformTests
{
    public static void Register(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("Platform");
        suite.Add(nameof(UtcNowMatchesTheRtcAndAdvances), &UtcNowMatchesTheRtcAndAdvances);
        suite.Add(nameof(NowIsUtcAndLocalZoneIsUtc), &NowIsUtcAndLocalZoneIsUtc);
        suite.Add(nameof(DatesFormatAndParse), &DatesFormatAndParse);
        suite.Add(nameof(CivilDaysMatchDateTime), &CivilDaysMatchDateTime);
        suite.Add(nameof(GuidsAreVersion4AndDistinct), &GuidsAreVersion4AndDistinct);
        suite.Add(nameof(RandomNumberGeneratorFillsAndVaries), &RandomNumberGeneratorFillsAndVaries);
        suite.Add(nameof(EnvironmentDescribesTheKernel), &EnvironmentDescribesTheKernel);
        suite.Add(nameof(EnvironmentVariablesComeFromTheCommandLine), &EnvironmentVariablesComeFromTheCommandLine);
        suite.Add(nameof(DebugWriteLineReachesSerial), &DebugWriteLineReachesSerial);
        suite.Add(nameof(ProcessWideBarrierReturns), &ProcessWideBarrierReturns);
        suite.Add(nameof(ThreadStaticsInGenericTypes), &ThreadStaticsInGenericTypes);
        suite.Add(nameof(MarshalSizeOfReadsTheBlob), &MarshalSizeOfReadsTheBlob);
        suite.Add(nameof(OrderByAndToArrayOfStrings), &OrderByAndToArrayOfStrings);
        suite.Add(nameof(ConcurrentCollections), &ConcurrentCollections);
        suite.Add(nameof(RecordsFormatAndCompare), &RecordsFormatAndCompare);
        suite.Add(nameof(MissingFilesAreReportedAsErrno), &MissingFilesAreReportedAsErrno);
        suite.Add(nameof(ConsoleMoveBufferAreaIsNotSupported), &ConsoleMoveBufferAreaIsNotSupported);
        suite.Add(nameof(NativeLibrariesCannotBeLoaded), &NativeLibrariesCannotBeLoaded);
    }

    private static void UtcNowMatchesTheRtcAndAdvances(TestContext t)
    {
        DateTime first = DateTime.UtcNow;
        long rtcSeconds = WallClock.Rtc.ReadUnixSeconds();
        long clockSeconds = (first.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerSecond;
        t.True(Math.Abs(clockSeconds - rtcSeconds) <= 2, $"UtcNow {first:O} is {clockSeconds - rtcSeconds} s from the RTC");
        t.True(first.Year >= 2024 && first.Year < 2100, $"year {first.Year}");
        t.Equal((int)DateTimeKind.Utc, (int)first.Kind);
        ulong start = Cpu.Timestamp.Nanoseconds;
        while (Cpu.Timestamp.Nanoseconds - start < 20_000_000) { }
        TimeSpan elapsed = DateTime.UtcNow - first;
        t.True(elapsed.TotalMilliseconds >= 19 && elapsed.TotalMilliseconds < 1000, $"20 ms of TSC moved the clock {elapsed.TotalMilliseconds} ms");
    }

    private static void NowIsUtcAndLocalZoneIsUtc(TestContext t)
    {
        DateTime utc = DateTime.UtcNow, local = DateTime.Now;
        t.Equal((int)DateTimeKind.Local, (int)local.Kind);
        t.True(Math.Abs((local - utc).TotalSeconds) < 1, "Now equals UtcNow");
        t.Equal(0L, TimeZoneInfo.Local.BaseUtcOffset.Ticks);
        t.Equal("UTC", TimeZoneInfo.Local.Id);
        t.Equal("", Environment.GetEnvironmentVariable("TZ"));
    }

    private static void DatesFormatAndParse(TestContext t)
    {
        var date = new DateTime(2026, 12, 2, 1, 2, 3, DateTimeKind.Utc);
        t.Equal("2026-12-02 01:02:03", date.ToString("yyyy-MM-dd HH:mm:ss"));
        t.Equal("2026-12-02T01:02:03.0000000Z", date.ToString("O"));
        t.Equal((int)DayOfWeek.Wednesday, (int)date.DayOfWeek);
        t.Equal(date.Ticks, DateTime.Parse("2026-12-02T01:02:03Z").ToUniversalTime().Ticks);
        t.Equal("1.02:03:04", new TimeSpan(1, 2, 3, 4).ToString());
        t.Equal(date.AddHours(36).Day, 3);
    }

    private static void CivilDaysMatchDateTime(TestContext t)
    {
        int[] years = [1970, 1999, 2000, 2024, 2100, 2400];
        foreach (int year in years)
        {
            for (int month = 1; month <= 12; month += 11)
            {
                long expected = (new DateTime(year, month, 28) - DateTime.UnixEpoch).Days;
                t.Equal(expected, WallClock.Rtc.DaysFromCivil(year, month, 28));
            }
        }
    }

    private static void GuidsAreVersion4AndDistinct(TestContext t)
    {
        Guid a = Guid.NewGuid(), b = Guid.NewGuid();
        t.NotEqual(a.ToString(), b.ToString());
        string text = a.ToString();
        t.Equal(36, text.Length);
        t.Equal('4', text[14]);
        t.True("89ab".Contains(text[19]), $"variant nibble {text[19]}");
        t.Equal(a, Guid.Parse(text));
    }

    private static void RandomNumberGeneratorFillsAndVaries(TestContext t)
    {
        byte[] first = RandomNumberGenerator.GetBytes(64), second = RandomNumberGenerator.GetBytes(64);
        t.False(first.AsSpan().SequenceEqual(second), "two draws differ");
        int distinct = first.Distinct().Count();
        t.True(distinct > 24, $"{distinct} distinct values in 64 random bytes");
        for (int i = 0; i < 100; i++)
        {
            int value = RandomNumberGenerator.GetInt32(10, 20);
            if (!t.True(value >= 10 && value < 20, $"GetInt32(10, 20) gave {value}"))
                break;
        }
        bool hardware = (Plugs.X64.Cpuid(1).Ecx & (1u << 30)) != 0;
        t.Equal(hardware, Entropy.Current != Entropy.Source.Fallback);
    }

    private static void EnvironmentDescribesTheKernel(TestContext t)
    {
        t.Equal("strixos", Environment.MachineName);
        t.Equal((int)PlatformID.Unix, (int)Environment.OSVersion.Platform);
        // The release is major.minor of StrixOS.csproj's Version; CoreLib names the platform "Unix".
        t.Equal(2, KernelVersion.Release.Split('.').Length);
        t.True(KernelVersion.Full.StartsWith(KernelVersion.Release + ".", StringComparison.Ordinal), KernelVersion.Full);
        t.Equal(KernelVersion.Release + ".0.0", Environment.OSVersion.Version.ToString());
        t.Equal("Unix " + KernelVersion.Release + ".0.0", Environment.OSVersion.VersionString);
        t.Equal("StrixOS " + KernelVersion.Release, RuntimeInformation.OSDescription);
        t.Equal((int)Architecture.X64, (int)RuntimeInformation.OSArchitecture);
        t.Equal(1, Environment.ProcessorCount);
        t.Equal("/", Environment.CurrentDirectory);
        t.True(Environment.Is64BitProcess, "64-bit");
        t.Null(Environment.GetEnvironmentVariable("STRIX_SURELY_UNSET"));
    }

    private static void EnvironmentVariablesComeFromTheCommandLine(TestContext t)
    {
        KernelEnvironment.Use(new CommandLine("test env.GREETING=hello strix.x=1 env.EMPTY= env.PATH=/bin:/boot"));
        t.Equal("hello", Environment.GetEnvironmentVariable("GREETING"));
        t.Equal("", Environment.GetEnvironmentVariable("EMPTY"));
        t.Equal("/bin:/boot", Environment.GetEnvironmentVariable("PATH"));
        t.Null(Environment.GetEnvironmentVariable("strix.x"));
        t.Null(Environment.GetEnvironmentVariable("GREET"));
        t.Equal("", Environment.GetEnvironmentVariable("TZ"));
        KernelEnvironment.Use(KernelTestSuites.Kernel.CommandLine);
    }

    private static void DebugWriteLineReachesSerial(TestContext t)
    {
#if !DEBUG
        t.Skip("Debug.WriteLine is [Conditional(\"DEBUG\")]: a Release build compiles the call out");
#else
        const string message = "Debug.WriteLine reached the serial console";
        ulong before = FileDescriptors.StandardBytesWritten;
        System.Diagnostics.Debug.WriteLine(message);
        t.Equal(before + (ulong)message.Length + 1, FileDescriptors.StandardBytesWritten);   // the text and '\n' on standard error
#endif
    }

    private static int s_shared;

    private static void ProcessWideBarrierReturns(TestContext t)
    {
        Volatile.Write(ref s_shared, 41);
        Interlocked.MemoryBarrierProcessWide();
        t.Equal(42, Interlocked.Increment(ref s_shared));
    }

    private static class PerThread<T>
    {
        [ThreadStatic] public static List<T>? Items;
    }

    private static void ThreadStaticsInGenericTypes(TestContext t)
    {
        PerThread<string>.Items = ["a"];
        PerThread<int>.Items = [1, 2];
        t.Equal(1, PerThread<string>.Items!.Count);
        t.Equal(2, PerThread<int>.Items!.Count);
        t.Null(PerThread<long>.Items);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Sample
    {
        public int A;
        public long B;
        public byte C;
    }

    private static void MarshalSizeOfReadsTheBlob(TestContext t)
    {
        t.Equal(24, Marshal.SizeOf<Sample>());
        t.Equal(8, Marshal.OffsetOf<Sample>(nameof(Sample.B)).ToInt32());
    }

    private static void OrderByAndToArrayOfStrings(TestContext t)
    {
        string[] sorted = new[] { "pear", "apple", "fig" }.OrderBy(s => s, StringComparer.Ordinal).ToArray();
        t.Equal("apple,fig,pear", string.Join(",", sorted));
        t.Equal("pear,fig,apple", string.Join(",", sorted.OrderByDescending(s => s, StringComparer.Ordinal)));
    }

    private static void ConcurrentCollections(TestContext t)
    {
        var bag = new ConcurrentBag<int> { 1, 2, 3 };
        t.Equal(3, bag.Count);
        t.Equal(6, bag.Sum());
        var map = new ConcurrentDictionary<string, int>();
        map["a"] = 1;
        t.Equal(2, map.AddOrUpdate("a", 0, (_, v) => v + 1));
    }

    private sealed record Point(int X, int Y);

    private static void RecordsFormatAndCompare(TestContext t)
    {
        var p = new Point(1, 2);
        t.Equal("Point { X = 1, Y = 2 }", p.ToString());
        t.True(p == new Point(1, 2), "value equality");
        t.False(p == p with { Y = 3 }, "with makes a different value");
        t.Equal(p.GetHashCode(), new Point(1, 2).GetHashCode());
    }

    private static void MissingFilesAreReportedAsErrno(TestContext t)
    {
        // File.Exists never throws: it reports false for a path the kernel does not have.
        t.False(System.IO.File.Exists("/etc/hostname"), "no such file");
        t.False(System.IO.Directory.Exists("/etc"), "no such directory");
    }

    // By design: `Console.MoveBufferArea` | `PlatformNotSupportedException`, as .NET on Linux
    private static void ConsoleMoveBufferAreaIsNotSupported(TestContext t)
    {
        try
        {
#pragma warning disable CA1416   // Windows-only on purpose: the check is that it is refused here, as on Linux
            Console.MoveBufferArea(0, 0, 1, 1, 2, 2);
#pragma warning restore CA1416
            t.Fail("Console.MoveBufferArea returned");
        }
        catch (PlatformNotSupportedException e)
        {
            t.Equal("System.PlatformNotSupportedException", e.GetType().FullName);
        }
    }

    // By design: `NativeLibrary.Load`, `NativeLibrary.TryLoad` | `DllNotFoundException` saying that one static image has no libraries to load (`TryLoad`: false)
    private static void NativeLibrariesCannotBeLoaded(TestContext t)
    {
        try
        {
            NativeLibrary.Load("libc.so.6");
            t.Fail("NativeLibrary.Load returned");
        }
        catch (DllNotFoundException e)
        {
            t.True(e.Message.Contains("links everything statically"), e.Message);
        }
        t.False(NativeLibrary.TryLoad("libc.so.6", out nint handle), "TryLoad");
        t.Equal(0L, (long)handle);
    }
}
