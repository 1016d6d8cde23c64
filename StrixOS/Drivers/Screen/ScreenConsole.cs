namespace StrixOS.Drivers.Screen;

/// <summary>
/// The text console on the screen: cursor, colours, line wrap, scrolling. Everything written to COM1 is
/// mirrored here (SerialPort), so kernel log lines, panics and fault reports reach the screen with no
/// allocation. ANSI escape sequences in the stream are not drawn: SGR colours (ESC [ 30-37/90-97 m,
/// 40-47/100-107 m, 0 m) set the colours, ESC [ 2 J clears, ESC [ row ; col H moves the cursor, anything
/// else is skipped.
/// </summary>
public static class ScreenConsole
{
    public const byte DefaultForeground = 7;   // ConsoleColor.Gray
    public const byte DefaultBackground = 0;   // ConsoleColor.Black

    private static ITextScreen? s_screen;
    private static int s_escapeState;           // 0 text, 1 after ESC, 2 inside CSI
    private static int s_parameterCount;
    private static readonly int[] Parameters = new int[4];

    public static bool IsActive => s_screen != null;
    public static ITextScreen? Screen => s_screen;
    public static int Column { get; private set; }
    public static int Row { get; private set; }
    public static byte Foreground { get; set; } = DefaultForeground;
    public static byte Background { get; set; } = DefaultBackground;

    public static void Attach(ITextScreen screen)
    {
        s_screen = screen;
        Clear();
    }

    public static void Clear()
    {
        if (s_screen == null)
            return;
        s_screen.Clear(Background);
        Column = 0;
        Row = 0;
        s_screen.SetCursor(0, 0);
    }

    public static void SetPosition(int column, int row)
    {
        if (s_screen == null)
            return;
        Column = column < 0 ? 0 : column >= s_screen.Columns ? s_screen.Columns - 1 : column;
        Row = row < 0 ? 0 : row >= s_screen.Rows ? s_screen.Rows - 1 : row;
        s_screen.SetCursor(Column, Row);
    }

    public static void Write(byte b) => Write((char)b);

    /// <summary>Draws <paramref name="c"/> and moves the hardware cursor after it.</summary>
    public static void Write(char c)
    {
        Draw(c);
        ShowCursor();
    }

    /// <summary>
    /// Draws <paramref name="c"/> without moving the hardware cursor, for a run of characters that ends with
    /// <see cref="ShowCursor"/>: on VGA moving the cursor takes four port writes, more than drawing the character.
    /// </summary>
    public static void Draw(char c)
    {
        ITextScreen? screen = s_screen;
        if (screen == null)
            return;
        if (s_escapeState != 0 || c == '\x1B')
        {
            Escape(c);
            return;
        }
        switch (c)
        {
            case '\r':
                Column = 0;
                break;
            case '\n':
                NewLine(screen);
                break;
            case '\b':
                if (Column > 0)
                    Column--;
                break;
            case '\t':
                do
                    Put(screen, ' ');
                while (Column % 8 != 0);
                break;
            default:
                if (c >= ' ')
                    Put(screen, c);
                break;
        }
    }

    /// <summary>Puts the hardware cursor where the next character goes.</summary>
    public static void ShowCursor() => s_screen?.SetCursor(Column, Row);

    private static void Put(ITextScreen screen, char c)
    {
        if (Column >= screen.Columns)
        {
            Column = 0;
            NewLine(screen);
        }
        screen.Put(Column, Row, c, Foreground, Background);
        Column++;
    }

    private static void NewLine(ITextScreen screen)
    {
        Row++;
        if (Row >= screen.Rows)
        {
            // The kernel's two screens are called directly: ILC guesses only one of them here, and the boot's
            // first scroll would otherwise resolve an interface call, code a boot runs once (docs/benchmarks.md,
            // "Code run once at start-up, second round").
            if (screen is VgaTextScreen vga)
                vga.ScrollUp(Background);
            else if (screen is FramebufferScreen framebuffer)
                framebuffer.ScrollUp(Background);
            else
                screen.ScrollUp(Background);
            Row = screen.Rows - screen.ScrollStep;
        }
    }

    private static void Escape(char c)
    {
        switch (s_escapeState)
        {
            case 0:
                s_escapeState = 1;
                return;
            case 1:
                if (c == '[')
                {
                    s_escapeState = 2;
                    s_parameterCount = 0;
                    Parameters[0] = 0;
                }
                else
                {
                    s_escapeState = 0;
                }
                return;
        }
        if (c >= '0' && c <= '9')
        {
            if (s_parameterCount == 0)
                s_parameterCount = 1;
            if (s_parameterCount <= Parameters.Length)
                Parameters[s_parameterCount - 1] = Parameters[s_parameterCount - 1] * 10 + (c - '0');
            return;
        }
        if (c == ';')
        {
            if (s_parameterCount == 0)
                s_parameterCount = 1;
            s_parameterCount++;
            if (s_parameterCount <= Parameters.Length)
                Parameters[s_parameterCount - 1] = 0;
            return;
        }
        s_escapeState = 0;
        int count = s_parameterCount < Parameters.Length ? s_parameterCount : Parameters.Length;
        switch (c)
        {
            case 'm':
                if (count == 0)
                    SelectGraphics(0);
                for (int i = 0; i < count; i++)
                    SelectGraphics(Parameters[i]);
                break;
            case 'J':
                if (count >= 1 && Parameters[0] == 2)
                    Clear();
                break;
            case 'H':
                SetPosition((count >= 2 ? Parameters[1] : 1) - 1, (count >= 1 ? Parameters[0] : 1) - 1);
                break;
        }
    }

    // ANSI colour numbers are in RGB bit order (red = 1); VGA's are in BGR (blue = 1).
    private static byte AnsiToVga(int ansi) => (byte)(((ansi & 1) << 2) | (ansi & 2) | ((ansi & 4) >> 2));

    private static void SelectGraphics(int code)
    {
        if (code == 0)
        {
            Foreground = DefaultForeground;
            Background = DefaultBackground;
        }
        else if (code >= 30 && code <= 37)
            Foreground = AnsiToVga(code - 30);
        else if (code >= 90 && code <= 97)
            Foreground = (byte)(AnsiToVga(code - 90) | 8);
        else if (code >= 40 && code <= 47)
            Background = AnsiToVga(code - 40);
        else if (code >= 100 && code <= 107)
            Background = (byte)(AnsiToVga(code - 100) | 8);
        else if (code == 39)
            Foreground = DefaultForeground;
        else if (code == 49)
            Background = DefaultBackground;
    }
}
