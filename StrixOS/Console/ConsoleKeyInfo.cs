namespace System;

/// <summary>A key press as <see cref="Console.ReadKey()"/> returns it.</summary>
public readonly struct ConsoleKeyInfo : IEquatable<ConsoleKeyInfo>
{
    private readonly char _keyChar;
    private readonly ConsoleKey _key;
    private readonly ConsoleModifiers _modifiers;

    public ConsoleKeyInfo(char keyChar, ConsoleKey key, bool shift, bool alt, bool control)
    {
        _keyChar = keyChar;
        _key = key;
        _modifiers = (shift ? ConsoleModifiers.Shift : 0) | (alt ? ConsoleModifiers.Alt : 0) | (control ? ConsoleModifiers.Control : 0);
    }

    public char KeyChar => _keyChar;
    public ConsoleKey Key => _key;
    public ConsoleModifiers Modifiers => _modifiers;

    public override bool Equals(object? value) => value is ConsoleKeyInfo info && Equals(info);
    public bool Equals(ConsoleKeyInfo obj) => obj._keyChar == _keyChar && obj._key == _key && obj._modifiers == _modifiers;
    public static bool operator ==(ConsoleKeyInfo a, ConsoleKeyInfo b) => a.Equals(b);
    public static bool operator !=(ConsoleKeyInfo a, ConsoleKeyInfo b) => !(a == b);
    public override int GetHashCode() => _keyChar | ((int)_key << 16) | ((int)_modifiers << 24);
}
