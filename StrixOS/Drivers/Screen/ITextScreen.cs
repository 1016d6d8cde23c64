namespace StrixOS.Drivers.Screen;

/// <summary>A grid of character cells with 16 colours (the VGA palette, in System.ConsoleColor's order).</summary>
public interface ITextScreen
{
    int Columns { get; }
    int Rows { get; }
    void Put(int column, int row, char c, byte foreground, byte background);
    /// <summary>How many rows <see cref="ScrollUp"/> moves (more than one where a scroll is costly).</summary>
    int ScrollStep { get; }
    /// <summary>Moves every row up by <see cref="ScrollStep"/> and blanks the rows freed at the bottom.</summary>
    void ScrollUp(byte background);
    void Clear(byte background);
    void SetCursor(int column, int row);
}
