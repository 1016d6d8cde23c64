using System;
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

    /// <summary>A line built with StrixOS.Text.LineBuilder, written without making a string of it.</summary>
    public static void Info(ReadOnlySpan<char> message) => Write(LogLevel.Info, message);
    public static void Warning(ReadOnlySpan<char> message) => Write(LogLevel.Warning, message);

    public static void Write(LogLevel level, string message) => Write(level, message.AsSpan());

    public static void Write(LogLevel level, ReadOnlySpan<char> message)
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
        Raw(message);
    }

    /// <summary>A line with no level tag (banners, tables, test-protocol lines).</summary>
    public static void Raw(string line) => SerialPort.Com1.WriteLine(line);

    public static void Raw(ReadOnlySpan<char> line)
    {
        SerialPort.Com1.Write(line);
        SerialPort.Com1.Write("\n"u8);
    }
}
