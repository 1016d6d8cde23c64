using System.IO;
using System.Text;

namespace System;

/// <summary>
/// Console.In: lines typed on the keyboard or the serial port, echoed as they are typed. Line editing:
/// Backspace removes the last character (on the screen too), Enter ends the line. Read() hands out a
/// typed line character by character, as a terminal in canonical mode does.
/// </summary>
internal sealed class ConsoleReader : TextReader
{
    private string? _pending;
    private int _pendingIndex;

    public override string? ReadLine()
    {
        if (_pending != null)
        {
            string rest = _pending.Substring(_pendingIndex, _pending.Length - _pendingIndex - 1);
            _pending = null;
            return rest;
        }
        var line = new StringBuilder();
        while (true)
        {
            ConsoleKeyInfo key = Console.ReadKeyFromDevice();
            if (key.Key == ConsoleKey.Enter)
            {
                ConsoleDevice.Write("\n");
                return line.ToString();
            }
            if (key.Key == ConsoleKey.Backspace)
            {
                if (line.Length > 0)
                {
                    line.Length--;
                    ConsoleDevice.Write("\b \b");
                }
                continue;
            }
            if (key.KeyChar >= ' ' && key.KeyChar != '\x7F')
            {
                char typed = key.KeyChar;
                line.Append(typed);
                ConsoleDevice.Write(new ReadOnlySpan<char>(in typed));
            }
        }
    }

    public override int Read()
    {
        if (_pending == null)
        {
            _pending = ReadLine() + "\n";
            _pendingIndex = 0;
        }
        char c = _pending[_pendingIndex++];
        if (_pendingIndex == _pending.Length)
            _pending = null;
        return c;
    }

    public override int Peek()
    {
        if (_pending == null)
        {
            _pending = ReadLine() + "\n";
            _pendingIndex = 0;
        }
        return _pending[_pendingIndex];
    }
}
