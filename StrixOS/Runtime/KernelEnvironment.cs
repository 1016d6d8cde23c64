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

    // Each variable is kept as a NUL-terminated "NAME=value" string on the native heap, as in environ. They are
    // made on first use from the command line Use kept: most boots never read one (docs/benchmarks.md, "Code
    // run once at start-up"). Two threads making them at once make the same table, so either one may win.
    private static volatile byte** s_variables;
    private static int s_count;
    private static string? s_commandLine;

    /// <summary>Keeps the command line for the <c>env.NAME=value</c> words (at boot; again in tests, which then
    /// read the new command line's variables).</summary>
    public static void Use(CommandLine commandLine)
    {
        Collector.Collector.Verify = commandLine.Has("strix.gcverify");
        s_commandLine = commandLine.Text;
        s_variables = null;
    }

    /// <summary>The variables, made from the command line on first use; null before <see cref="Use"/>.</summary>
    private static byte** Variables()
    {
        if (s_variables == null && s_commandLine != null)
            MakeVariables(s_commandLine);
        return s_variables;
    }

    private static void MakeVariables(ReadOnlySpan<char> text)
    {
        // Words are split at spaces by hand (no string.Split, Substring, Concat).
        int words = 0;
        for (int position = 0; NextWord(text, ref position, out _);)
            words++;
        byte** variables = (byte**)KernelHeap.Allocate((ulong)(words + Defaults.Length + 1) * 8);
        int count = 0;
        for (int position = 0; NextWord(text, ref position, out ReadOnlySpan<char> word);)
        {
            if (word.StartsWith(EnvPrefix) && word.IndexOf('=') > EnvPrefix.Length)
                variables[count++] = ToCString(word.Slice(EnvPrefix.Length));
        }
        foreach (string pair in Defaults)
        {
            ReadOnlySpan<char> name = pair.AsSpan(0, pair.IndexOf('=') + 1);
            bool set = false;
            for (int position = 0; NextWord(text, ref position, out ReadOnlySpan<char> word);)
                set |= word.StartsWith(EnvPrefix) && word.Slice(EnvPrefix.Length).StartsWith(name);
            if (!set)
                variables[count++] = ToCString(pair);
        }
        variables[count] = null;
        s_count = count;
        s_variables = variables;
    }

    private const string EnvPrefix = "env.";

    /// <summary>The next word of <paramref name="text"/> from <paramref name="position"/>, spaces skipped; false at the end.</summary>
    private static bool NextWord(ReadOnlySpan<char> text, ref int position, out ReadOnlySpan<char> word)
    {
        while (position < text.Length && text[position] == ' ')
            position++;
        int start = position;
        while (position < text.Length && text[position] != ' ')
            position++;
        word = text.Slice(start, position - start);
        return word.Length > 0;
    }

    /// <summary>A copy on the native heap, NUL-terminated (ASCII; other characters become '?').</summary>
    public static byte* ToCString(string text) => ToCString(text.AsSpan());

    public static byte* ToCString(ReadOnlySpan<char> text)
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
        byte** variables = Variables();
        if (variables == null)
            return name[0] == 'T' && name[1] == 'Z' && name[2] == 0 ? EmptyTz() : null;
        for (int i = 0; i < s_count; i++)
        {
            byte* entry = variables[i];
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
        if (Variables() == null)
            MakeVariables("");
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
