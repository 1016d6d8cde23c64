using StrixOS.Drivers;

namespace StrixOS.Diagnostics;

public enum LogLevel
{
    Debug,
    Info,
    Warning,
    Error,
}

/// <summary>The kernel log: one line per message on the serial console, tagged with its level.</summary>
public static class KernelLog
{
    public static LogLevel MinimumLevel { get; set; } = LogLevel.Info;

    public static void Debug(string message) => Write(LogLevel.Debug, message);
    public static void Info(string message) => Write(LogLevel.Info, message);
    public static void Warning(string message) => Write(LogLevel.Warning, message);
    public static void Error(string message) => Write(LogLevel.Error, message);

    public static void Write(LogLevel level, string message)
    {
        if (level < MinimumLevel)
            return;
        SerialPort.Com1.Write(level switch
        {
            LogLevel.Debug => "[debug] "u8,
            LogLevel.Info => "[info]  "u8,
            LogLevel.Warning => "[warn]  "u8,
            _ => "[error] "u8,
        });
        SerialPort.Com1.WriteLine(message);
    }

    /// <summary>A line with no level tag (banners, tables, test-protocol lines).</summary>
    public static void Raw(string line) => SerialPort.Com1.WriteLine(line);
}
