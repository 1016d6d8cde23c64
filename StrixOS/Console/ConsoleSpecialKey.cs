namespace System;

public enum ConsoleSpecialKey
{
    ControlBreak = 0,
    ControlC = 1,
}

public sealed class ConsoleCancelEventArgs : EventArgs
{
    internal ConsoleCancelEventArgs(ConsoleSpecialKey type) => SpecialKey = type;
    public bool Cancel { get; set; }
    public ConsoleSpecialKey SpecialKey { get; }
}

public delegate void ConsoleCancelEventHandler(object? sender, ConsoleCancelEventArgs e);
