using System;
using System.Runtime;
using StrixOS.Drivers.Input;
using StrixOS.Drivers.Screen;

namespace StrixOS.Drivers.Terminal;

/// <summary>
/// The entry points StrixOS's System.Console (StrixOS/Console/) calls by symbol: write to COM1 (which the
/// screen mirrors, ANSI sequences included), read a key from the console input queue, the geometry.
/// </summary>
public static unsafe class ConsoleExports
{
    private const int NoScreenColumns = 80, NoScreenRows = 25;

    [RuntimeExport("strix_console_write")]
    private static void Write(char* text, int length) => SerialPort.Com1.Write(new ReadOnlySpan<char>(text, length));

    [RuntimeExport("strix_console_read_key")]
    private static void ReadKey(char* keyChar, int* key, int* modifiers)
    {
        KeyPress press = ConsoleInput.Read();
        *keyChar = ConsoleKeyMapping.KeyChar(press);
        *key = ConsoleKeyMapping.ConsoleKey(press);
        *modifiers = ConsoleKeyMapping.Modifiers(press);
    }

    [RuntimeExport("strix_console_key_available")]
    private static int KeyAvailable() => ConsoleInput.KeyAvailable ? 1 : 0;

    [RuntimeExport("strix_console_geometry")]
    private static void Geometry(int* column, int* row, int* columns, int* rows)
    {
        ITextScreen? screen = ScreenConsole.Screen;
        *column = ScreenConsole.Column;
        *row = ScreenConsole.Row;
        *columns = screen?.Columns ?? NoScreenColumns;
        *rows = screen?.Rows ?? NoScreenRows;
    }
}
