using System;
using System.Runtime;
using StrixOS.Boot;
using StrixOS.Drivers;

namespace StrixOS.Runtime;

/// <summary>
/// What a process's environment would hold, answered by the kernel: environment variables from the
/// kernel command line (<c>env.NAME=value</c>), the machine name, the OS release, the user (root).
/// Defaults: TZ is the empty string (CoreLib reads it as "local time is UTC" without looking for
/// time-zone files) and DOTNET_DebugWriteToStdErr=1 (Debug.WriteLine goes to the serial console).
/// </summary>
public static unsafe class KernelEnvironment
{
    public const string MachineName = "strixos";
    /// <summary>The OS release (major.minor of StrixOS.csproj's Version): Environment.OSVersion's version.</summary>
    public const string Release = KernelVersion.Release;

    /// <summary>uname's name: with the release, RuntimeInformation.OSDescription ("StrixOS 0.1").</summary>
    public const string SystemName = "StrixOS";

    /// <summary>
    /// Set unless the command line sets them: TZ empty (local time is UTC, no time-zone files), and
    /// Debug.WriteLine to standard error, which is the serial console.
    /// </summary>
    private static readonly string[] Defaults = ["TZ=", "DOTNET_DebugWriteToStdErr=1"];

    // Each variable is kept as a NUL-terminated "NAME=value" string on the native heap, as in environ.
    private static byte** s_variables;
    private static int s_count;

    /// <summary>Takes the <c>env.NAME=value</c> words of the command line (called once at boot).</summary>
    public static void Use(CommandLine commandLine)
    {
        Collector.Collector.Verify = commandLine.Has("strix.gcverify");
        string[] words = commandLine.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        s_variables = (byte**)KernelHeap.Allocate((ulong)(words.Length + Defaults.Length + 1) * 8);
        s_count = 0;
        foreach (string word in words)
        {
            if (word.StartsWith("env.", StringComparison.Ordinal) && word.IndexOf('=') > 4)
                s_variables[s_count++] = ToCString(word.Substring(4));
        }
        foreach (string pair in Defaults)
        {
            string name = pair.Substring(0, pair.IndexOf('=') + 1);
            bool set = false;
            foreach (string word in words)
                set |= word.StartsWith("env." + name, StringComparison.Ordinal);
            if (!set)
                s_variables[s_count++] = ToCString(pair);
        }
        s_variables[s_count] = null;
    }

    /// <summary>A copy on the native heap, NUL-terminated (ASCII; other characters become '?').</summary>
    public static byte* ToCString(string text)
    {
        byte* copy = KernelHeap.Allocate((ulong)text.Length + 1);
        for (int i = 0; i < text.Length; i++)
            copy[i] = text[i] < 0x80 ? (byte)text[i] : (byte)'?';
        copy[text.Length] = 0;
        return copy;
    }

    [RuntimeExport("SystemNative_GetEnv")]
    private static byte* GetEnv(byte* name)
    {
        if (s_variables == null)
            return name[0] == 'T' && name[1] == 'Z' && name[2] == 0 ? EmptyTz() : null;
        for (int i = 0; i < s_count; i++)
        {
            byte* entry = s_variables[i];
            int j = 0;
            while (name[j] != 0 && entry[j] == name[j])
                j++;
            if (name[j] == 0 && entry[j] == '=')
                return entry + j + 1;
        }
        return null;
    }

    private static byte* s_emptyTz;
    private static byte* EmptyTz() => s_emptyTz != null ? s_emptyTz : (s_emptyTz = ToCString(""));

    [RuntimeExport("SystemNative_GetEnviron")]
    private static byte** GetEnviron()
    {
        if (s_variables == null)
            Use(new CommandLine(""));
        return s_variables;
    }

    [RuntimeExport("SystemNative_FreeEnviron")]
    private static void FreeEnviron(byte** environ) { }

    [RuntimeExport("SystemNative_GetHostName")]
    private static int GetHostName(byte* name, int length)
    {
        if (length <= MachineName.Length)
            return -1;
        for (int i = 0; i < MachineName.Length; i++)
            name[i] = (byte)MachineName[i];
        name[MachineName.Length] = 0;
        return 0;
    }

    // The marshaller frees these strings with SystemNative_Free: each call returns a fresh copy.
    [RuntimeExport("SystemNative_GetUnixRelease")]
    private static byte* GetUnixRelease() => ToCString(Release);

    [RuntimeExport("SystemNative_GetUnixName")]
    private static byte* GetUnixName() => ToCString(SystemName);

    /// <summary>"name release" into the caller's buffer (RuntimeInformation.OSDescription); -1 and the size needed when it is too small.</summary>
    [RuntimeExport("SystemNative_GetUnixVersion")]
    private static int GetUnixVersion(byte* version, int* capacity)
    {
        const string text = SystemName + " " + Release;
        if (*capacity < text.Length + 1)
        {
            *capacity = text.Length + 1;
            return -1;
        }
        for (int i = 0; i < text.Length; i++)
            version[i] = (byte)text[i];
        version[text.Length] = 0;
        return 0;
    }

    [RuntimeExport("SystemNative_GetOSArchitecture")]
    private static int GetOSArchitecture() => 1;   // Architecture.X64

    [RuntimeExport("SystemNative_GetProcessPath")]
    private static byte* GetProcessPath() => ToCString("/boot/strix.elf");

    [RuntimeExport("SystemNative_GetEUid")]
    private static uint GetEUid() => 0;

    [RuntimeExport("SystemNative_GetEGid")]
    private static uint GetEGid() => 0;

    [RuntimeExport("SystemNative_GetGroups")]
    private static int GetGroups(int count, uint* groups) => 0;

    /// <summary>syslog(3): to the serial console, like SystemNative_LogError.</summary>
    [RuntimeExport("SystemNative_SysLog")]
    private static void SysLog(int priority, byte* message, byte* argument)
    {
        SerialPort.Com1.Write("[syslog] "u8);
        bool formatIsPlainString = message[0] == '%' && message[1] == 's' && message[2] == 0;   // CoreLib passes "%s", text
        SerialPort.Com1.WriteCString(formatIsPlainString && argument != null ? argument : message);
        SerialPort.Com1.Write("\r\n"u8);
    }
}
