using StrixOS.Drivers.Input;

namespace StrixOS.Drivers.Terminal;

/// <summary>
/// A key press in System.Console's terms: the ConsoleKey number (Windows virtual-key codes, as .NET numbers
/// them), the character, and the ConsoleModifiers bits (Alt 1, Shift 2, Control 4).
/// </summary>
public static class ConsoleKeyMapping
{
    private const string ShiftedSymbols = "!@#$%^&*()_+{}|:\"<>?~";
    private const string BaseSymbols = "1234567890-=[]\\;',./`";

    public static int Modifiers(KeyPress key) => (key.Alt ? 1 : 0) | (key.Shift ? 2 : 0) | (key.Control ? 4 : 0);

    /// <summary>The character System.Console reports: Enter is '\r', as .NET reports it.</summary>
    public static char KeyChar(KeyPress key) => key.Key == SpecialKey.Enter ? '\r' : key.Char;

    public static int ConsoleKey(KeyPress key)
    {
        switch (key.Key)
        {
            case SpecialKey.Enter: return 13;
            case SpecialKey.Backspace: return 8;
            case SpecialKey.Tab: return 9;
            case SpecialKey.Escape: return 27;
            case SpecialKey.PageUp: return 33;
            case SpecialKey.PageDown: return 34;
            case SpecialKey.End: return 35;
            case SpecialKey.Home: return 36;
            case SpecialKey.Left: return 37;
            case SpecialKey.Up: return 38;
            case SpecialKey.Right: return 39;
            case SpecialKey.Down: return 40;
            case SpecialKey.Insert: return 45;
            case SpecialKey.Delete: return 46;
            case >= SpecialKey.F1 and <= SpecialKey.F12: return 112 + (key.Key - SpecialKey.F1);
        }
        char c = key.Char;
        if (key.Control && c >= (char)1 && c <= (char)26)
            return 'A' + c - 1;                       // Ctrl+letter arrives as its control character
        int shifted = ShiftedSymbols.IndexOf(c);
        if (shifted >= 0)
            c = BaseSymbols[shifted];
        if (c >= 'a' && c <= 'z')
            return c - 'a' + 'A';
        if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            return c;
        return c switch
        {
            ' ' => 32,
            ';' => 186, '=' => 187, ',' => 188, '-' => 189, '.' => 190, '/' => 191, '`' => 192,
            '[' => 219, '\\' => 220, ']' => 221, '\'' => 222, '*' => 106,
            _ => 0,
        };
    }
}
