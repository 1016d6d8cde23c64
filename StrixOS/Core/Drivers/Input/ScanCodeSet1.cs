namespace StrixOS.Drivers.Input;

/// <summary>
/// Scan code set 1 (what an 8042 with translation on delivers) to keys, US layout. Codes 0x80 and up
/// are releases; 0xE0 prefixes the extended keys (arrows, navigation block, right Ctrl/Alt).
/// </summary>
public sealed class ScanCodeSet1
{
    // Unshifted and shifted characters for codes 0x00-0x39 ('\0': no character).
    private const string Plain = "\0\0" + "1234567890-=" + "\0\0" + "qwertyuiop[]" + "\0\0" + "asdfghjkl;'`" + "\0\\" + "zxcvbnm,./" + "\0*\0 ";
    private const string Shifted = "\0\0" + "!@#$%^&*()_+" + "\0\0" + "QWERTYUIOP{}" + "\0\0" + "ASDFGHJKL:\"~" + "\0|" + "ZXCVBNM<>?" + "\0*\0 ";

    private bool _extended, _leftShift, _rightShift, _control, _alt, _capsLock;

    public bool CapsLock => _capsLock;

    /// <summary>Feeds one byte from the controller; true with a key when it completes a press.</summary>
    public bool TryDecode(byte code, out KeyPress key)
    {
        key = default;
        if (code == 0xE0)
        {
            _extended = true;
            return false;
        }
        bool extended = _extended;
        _extended = false;
        bool release = (code & 0x80) != 0;
        byte make = (byte)(code & 0x7F);

        switch (make)
        {
            case 0x2A: if (!extended) _leftShift = !release; return false;   // E0 2A: fake shift of the navigation keys
            case 0x36: if (!extended) _rightShift = !release; return false;
            case 0x1D: _control = !release; return false;
            case 0x38: _alt = !release; return false;
            case 0x3A: if (!release) _capsLock = !_capsLock; return false;
        }
        if (release)
            return false;

        bool shift = _leftShift || _rightShift;
        SpecialKey special = extended ? Extended(make) : Special(make);
        if (special != SpecialKey.None)
        {
            char c = special switch { SpecialKey.Enter => '\n', SpecialKey.Backspace => '\b', SpecialKey.Tab => '\t', SpecialKey.Escape => '\x1B', _ => '\0' };
            key = new KeyPress(c, special, shift, _control, _alt);
            return true;
        }
        if (extended || make >= Plain.Length || Plain[make] == '\0')
            return false;
        char ch = shift ? Shifted[make] : Plain[make];
        if (_capsLock && char.IsAsciiLetter(ch))
            ch = shift ? char.ToLowerInvariant(ch) : char.ToUpperInvariant(ch);
        if (_control && char.IsAsciiLetter(ch))
            ch = (char)(char.ToUpperInvariant(ch) - '@');   // Ctrl+A = 1 ... Ctrl+Z = 26
        key = new KeyPress(ch, SpecialKey.None, shift, _control, _alt);
        return true;
    }

    private static SpecialKey Special(byte make) => make switch
    {
        0x01 => SpecialKey.Escape,
        0x0E => SpecialKey.Backspace,
        0x0F => SpecialKey.Tab,
        0x1C => SpecialKey.Enter,
        >= 0x3B and <= 0x44 => (SpecialKey)((int)SpecialKey.F1 + make - 0x3B),
        0x57 => SpecialKey.F11,
        0x58 => SpecialKey.F12,
        _ => SpecialKey.None,
    };

    private static SpecialKey Extended(byte make) => make switch
    {
        0x1C => SpecialKey.Enter,
        0x48 => SpecialKey.Up,
        0x50 => SpecialKey.Down,
        0x4B => SpecialKey.Left,
        0x4D => SpecialKey.Right,
        0x47 => SpecialKey.Home,
        0x4F => SpecialKey.End,
        0x49 => SpecialKey.PageUp,
        0x51 => SpecialKey.PageDown,
        0x52 => SpecialKey.Insert,
        0x53 => SpecialKey.Delete,
        _ => SpecialKey.None,
    };
}
