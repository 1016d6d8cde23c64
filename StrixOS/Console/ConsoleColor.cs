namespace System;

/// <summary>The 16 console colours; the order is the VGA palette's, which the screen uses directly.</summary>
public enum ConsoleColor
{
    Black, DarkBlue, DarkGreen, DarkCyan, DarkRed, DarkMagenta, DarkYellow, Gray,
    DarkGray, Blue, Green, Cyan, Red, Magenta, Yellow, White,
}
