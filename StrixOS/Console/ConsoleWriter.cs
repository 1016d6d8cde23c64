using System.IO;
using System.Text;

namespace System;

/// <summary>Console.Out: every write goes straight to the console device (no buffering to flush).</summary>
internal sealed class ConsoleWriter : TextWriter
{
    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value) => ConsoleDevice.Write(new ReadOnlySpan<char>(in value));
    public override void Write(string? value) => ConsoleDevice.Write(value.AsSpan());
    public override void Write(char[] buffer, int index, int count) => ConsoleDevice.Write(buffer.AsSpan(index, count));
    public override void Write(ReadOnlySpan<char> buffer) => ConsoleDevice.Write(buffer);
    public override void WriteLine() => ConsoleDevice.Write("\n");
    public override void WriteLine(string? value)
    {
        ConsoleDevice.Write(value.AsSpan());
        ConsoleDevice.Write("\n");
    }
}
