using System.Runtime.InteropServices;

namespace System;

/// <summary>
/// The kernel side of the console (StrixOS/Drivers/Console/ConsoleExports.cs): bound by symbol name, so this
/// assembly needs no reference to the kernel. Output goes to COM1 and the screen; ANSI sequences in it
/// (colours, cursor position, clear) are understood by the screen and passed on to the serial terminal.
/// </summary>
internal static unsafe class ConsoleDevice
{
    [DllImport("*", EntryPoint = "strix_console_write"), SuppressGCTransition]
    public static extern void Write(char* text, int length);

    /// <summary>Blocks (the CPU halts between interrupts) until a key arrives from the keyboard or COM1.</summary>
    [DllImport("*", EntryPoint = "strix_console_read_key"), SuppressGCTransition]
    public static extern void ReadKey(char* keyChar, int* key, int* modifiers);

    [DllImport("*", EntryPoint = "strix_console_key_available"), SuppressGCTransition]
    public static extern int KeyAvailable();

    /// <summary>Cursor and size in characters (80x25 when there is no screen).</summary>
    [DllImport("*", EntryPoint = "strix_console_geometry"), SuppressGCTransition]
    public static extern void Geometry(int* column, int* row, int* columns, int* rows);

    public static void Write(ReadOnlySpan<char> text)
    {
        fixed (char* p = text)
            Write(p, text.Length);
    }
}
