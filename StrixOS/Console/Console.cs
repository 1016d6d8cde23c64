using System.IO;
using System.Text;

namespace System;

/// <summary>
/// System.Console on StrixOS: one console on the screen and COM1 together, input from the PS/2 keyboard
/// and COM1. Colours and cursor moves are ANSI sequences, which the screen interprets and a serial
/// terminal shows. Out and In can be replaced (SetOut/SetIn); Write/ReadLine then use the replacements.
/// Members with no meaning here (window position, buffer size, beep) do nothing, as on Unix.
/// </summary>
public static unsafe class Console
{
    private static TextWriter? s_out, s_error;
    private static TextReader? s_in;
    private static ConsoleColor s_foreground = ConsoleColor.Gray, s_background = ConsoleColor.Black;

    public static TextWriter Out => s_out ??= new ConsoleWriter();
    public static TextWriter Error => s_error ??= Out;
    public static TextReader In => s_in ??= new ConsoleReader();

    public static void SetOut(TextWriter newOut) => s_out = newOut ?? throw new ArgumentNullException(nameof(newOut));
    public static void SetError(TextWriter newError) => s_error = newError ?? throw new ArgumentNullException(nameof(newError));
    public static void SetIn(TextReader newIn) => s_in = newIn ?? throw new ArgumentNullException(nameof(newIn));

    public static Stream OpenStandardOutput() => Stream.Null;
    public static Stream OpenStandardOutput(int bufferSize) => Stream.Null;
    public static Stream OpenStandardError() => Stream.Null;
    public static Stream OpenStandardError(int bufferSize) => Stream.Null;
    public static Stream OpenStandardInput() => Stream.Null;
    public static Stream OpenStandardInput(int bufferSize) => Stream.Null;

    public static bool IsInputRedirected => s_in != null && s_in is not ConsoleReader;
    public static bool IsOutputRedirected => s_out != null && s_out is not ConsoleWriter;
    public static bool IsErrorRedirected => s_error != null && s_error is not ConsoleWriter;

    public static Encoding InputEncoding { get => Encoding.UTF8; set { } }
    public static Encoding OutputEncoding { get => Encoding.UTF8; set { } }

    public static bool KeyAvailable => ConsoleDevice.KeyAvailable() != 0;
    public static bool CapsLock => false;
    public static bool NumberLock => false;
    public static bool TreatControlCAsInput { get; set; } = true;
    public static event ConsoleCancelEventHandler? CancelKeyPress { add { } remove { } }

    public static ConsoleKeyInfo ReadKey() => ReadKey(intercept: false);

    /// <summary>The next key; unless <paramref name="intercept"/>, its character is echoed.</summary>
    public static ConsoleKeyInfo ReadKey(bool intercept)
    {
        ConsoleKeyInfo key = ReadKeyFromDevice();
        if (!intercept && key.KeyChar != '\0')
        {
            char c = key.KeyChar == '\r' ? '\n' : key.KeyChar;
            ConsoleDevice.Write(new ReadOnlySpan<char>(in c));
        }
        return key;
    }

    internal static ConsoleKeyInfo ReadKeyFromDevice()
    {
        char keyChar;
        int key, modifiers;
        ConsoleDevice.ReadKey(&keyChar, &key, &modifiers);
        var m = (ConsoleModifiers)modifiers;
        return new ConsoleKeyInfo(keyChar, (ConsoleKey)key, (m & ConsoleModifiers.Shift) != 0,
            (m & ConsoleModifiers.Alt) != 0, (m & ConsoleModifiers.Control) != 0);
    }

    public static string? ReadLine() => In.ReadLine();
    public static int Read() => In.Read();

    public static ConsoleColor ForegroundColor
    {
        get => s_foreground;
        set
        {
            s_foreground = value;
            SendColours();
        }
    }

    public static ConsoleColor BackgroundColor
    {
        get => s_background;
        set
        {
            s_background = value;
            SendColours();
        }
    }

    public static void ResetColor()
    {
        s_foreground = ConsoleColor.Gray;
        s_background = ConsoleColor.Black;
        ConsoleDevice.Write("\x1B[0m");
    }

    public static void Clear() => ConsoleDevice.Write("\x1B[2J\x1B[H");

    public static int CursorLeft
    {
        get => GetCursorPosition().Left;
        set => SetCursorPosition(value, CursorTop);
    }

    public static int CursorTop
    {
        get => GetCursorPosition().Top;
        set => SetCursorPosition(CursorLeft, value);
    }

    public static (int Left, int Top) GetCursorPosition()
    {
        int column, row, columns, rows;
        ConsoleDevice.Geometry(&column, &row, &columns, &rows);
        return (column, row);
    }

    public static void SetCursorPosition(int left, int top)
    {
        if (left < 0 || left >= WindowWidth)
            throw new ArgumentOutOfRangeException(nameof(left));
        if (top < 0 || top >= WindowHeight)
            throw new ArgumentOutOfRangeException(nameof(top));
        Span<char> text = stackalloc char[24];
        int written = 0;
        "\x1B[".AsSpan().CopyTo(text);
        written += 2;
        (top + 1).TryFormat(text.Slice(written), out int n);
        written += n;
        text[written++] = ';';
        (left + 1).TryFormat(text.Slice(written), out n);
        written += n;
        text[written++] = 'H';
        ConsoleDevice.Write(text.Slice(0, written));
    }

    public static int WindowWidth { get => Size().Columns; set { } }
    public static int WindowHeight { get => Size().Rows; set { } }
    public static int BufferWidth { get => WindowWidth; set { } }
    public static int BufferHeight { get => WindowHeight; set { } }
    public static int LargestWindowWidth => WindowWidth;
    public static int LargestWindowHeight => WindowHeight;
    public static int WindowLeft { get => 0; set { } }
    public static int WindowTop { get => 0; set { } }
    public static bool CursorVisible { get => true; set { } }
    public static int CursorSize { get => 100; set { } }
    public static string Title { get => "StrixOS"; set { } }

    public static void SetWindowPosition(int left, int top) { }
    public static void SetWindowSize(int width, int height) { }
    public static void SetBufferSize(int width, int height) { }
    public static void Beep() { }
    public static void Beep(int frequency, int duration) { }
    public static void MoveBufferArea(int sourceLeft, int sourceTop, int sourceWidth, int sourceHeight, int targetLeft, int targetTop)
        => throw new PlatformNotSupportedException();
    public static void MoveBufferArea(int sourceLeft, int sourceTop, int sourceWidth, int sourceHeight, int targetLeft, int targetTop,
        char sourceChar, ConsoleColor sourceForeColor, ConsoleColor sourceBackColor) => throw new PlatformNotSupportedException();

    private static (int Columns, int Rows) Size()
    {
        int column, row, columns, rows;
        ConsoleDevice.Geometry(&column, &row, &columns, &rows);
        return (columns, rows);
    }

    // ANSI SGR numbers are in RGB bit order (red = 1), ConsoleColor in VGA's BGR order (blue = 1).
    private static int Ansi(ConsoleColor c) => (((int)c & 1) << 2) | ((int)c & 2) | (((int)c & 4) >> 2);

    private static void SendColours()
    {
        Span<char> text = stackalloc char[16];
        int fg = Ansi(s_foreground) + (((int)s_foreground & 8) != 0 ? 90 : 30);
        int bg = Ansi(s_background) + (((int)s_background & 8) != 0 ? 100 : 40);
        "\x1B[".AsSpan().CopyTo(text);
        int written = 2;
        fg.TryFormat(text.Slice(written), out int n);
        written += n;
        text[written++] = ';';
        bg.TryFormat(text.Slice(written), out n);
        written += n;
        text[written++] = 'm';
        ConsoleDevice.Write(text.Slice(0, written));
    }

    public static void Write(string? value) => Out.Write(value);
    public static void Write(object? value) => Out.Write(value);
    public static void Write(char value) => Out.Write(value);
    public static void Write(char[]? buffer) => Out.Write(buffer);
    public static void Write(char[] buffer, int index, int count) => Out.Write(buffer, index, count);
    public static void Write(ReadOnlySpan<char> value) => Out.Write(value);
    public static void Write(bool value) => Out.Write(value);
    public static void Write(int value) => Out.Write(value);
    public static void Write(uint value) => Out.Write(value);
    public static void Write(long value) => Out.Write(value);
    public static void Write(ulong value) => Out.Write(value);
    public static void Write(float value) => Out.Write(value);
    public static void Write(double value) => Out.Write(value);
    public static void Write(decimal value) => Out.Write(value);
    public static void Write(string format, object? arg0) => Out.Write(format, arg0);
    public static void Write(string format, object? arg0, object? arg1) => Out.Write(format, arg0, arg1);
    public static void Write(string format, object? arg0, object? arg1, object? arg2) => Out.Write(format, arg0, arg1, arg2);
    public static void Write(string format, params object?[]? arg) => Out.Write(format, arg ?? Array.Empty<object?>());
    public static void Write(string format, params ReadOnlySpan<object?> arg) => Out.Write(format, arg);

    public static void WriteLine() => Out.WriteLine();
    public static void WriteLine(string? value) => Out.WriteLine(value);
    public static void WriteLine(object? value) => Out.WriteLine(value);
    public static void WriteLine(char value) => Out.WriteLine(value);
    public static void WriteLine(char[]? buffer) => Out.WriteLine(buffer);
    public static void WriteLine(char[] buffer, int index, int count) => Out.WriteLine(buffer, index, count);
    public static void WriteLine(ReadOnlySpan<char> value) => Out.WriteLine(value);
    public static void WriteLine(bool value) => Out.WriteLine(value);
    public static void WriteLine(int value) => Out.WriteLine(value);
    public static void WriteLine(uint value) => Out.WriteLine(value);
    public static void WriteLine(long value) => Out.WriteLine(value);
    public static void WriteLine(ulong value) => Out.WriteLine(value);
    public static void WriteLine(float value) => Out.WriteLine(value);
    public static void WriteLine(double value) => Out.WriteLine(value);
    public static void WriteLine(decimal value) => Out.WriteLine(value);
    public static void WriteLine(string format, object? arg0) => Out.WriteLine(format, arg0);
    public static void WriteLine(string format, object? arg0, object? arg1) => Out.WriteLine(format, arg0, arg1);
    public static void WriteLine(string format, object? arg0, object? arg1, object? arg2) => Out.WriteLine(format, arg0, arg1, arg2);
    public static void WriteLine(string format, params object?[]? arg) => Out.WriteLine(format, arg ?? Array.Empty<object?>());
    public static void WriteLine(string format, params ReadOnlySpan<object?> arg) => Out.WriteLine(format, arg);
}
