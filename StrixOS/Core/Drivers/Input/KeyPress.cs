namespace StrixOS.Drivers.Input;

/// <summary>Keys that produce no character (the console maps them to System.ConsoleKey).</summary>
public enum SpecialKey : byte
{
    None, Enter, Backspace, Tab, Escape, Up, Down, Left, Right, Home, End, Delete, Insert, PageUp, PageDown,
    F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12,
}

/// <summary>One key pressed: its character (0 if none), a special key, and the modifiers held.</summary>
public readonly record struct KeyPress(char Char, SpecialKey Key, bool Shift, bool Control, bool Alt);
