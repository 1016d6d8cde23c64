using StrixOS.Drivers.Input;
using Xunit;

namespace StrixOS.Tests.Screen;

public class ScanCodeSet1Tests
{
    private static string Decode(params byte[] codes)
    {
        var decoder = new ScanCodeSet1();
        var text = new System.Text.StringBuilder();
        foreach (byte code in codes)
            if (decoder.TryDecode(code, out KeyPress key))
                text.Append(key.Key == SpecialKey.None ? key.Char.ToString() : "<" + key.Key + ">");
        return text.ToString();
    }

    [Fact]
    public void LettersDigitsAndReleases() => Assert.Equal("ab1 ", Decode(0x1E, 0x9E, 0x30, 0xB0, 0x02, 0x82, 0x39, 0xB9));

    [Fact]
    public void ShiftGivesCapitalsAndSymbolsUntilReleased() =>
        Assert.Equal("A!a", Decode(0x2A, 0x1E, 0x9E, 0x02, 0x82, 0xAA, 0x1E));

    [Fact]
    public void CapsLockTogglesLettersOnlyAndShiftInvertsIt() =>
        Assert.Equal("A1a", Decode(0x3A, 0xBA, 0x1E, 0x02, 0x36, 0x1E, 0xB6));

    [Fact]
    public void ControlGivesControlCharacters()
    {
        var decoder = new ScanCodeSet1();
        decoder.TryDecode(0x1D, out _);
        Assert.True(decoder.TryDecode(0x2E, out KeyPress key));   // C
        Assert.Equal('\x03', key.Char);
        Assert.True(key.Control);
    }

    [Fact]
    public void ExtendedKeysAndEnterBackspace() =>
        Assert.Equal("<Up><Left><Enter><Backspace><Enter>", Decode(0xE0, 0x48, 0xE0, 0xC8, 0xE0, 0x4B, 0x1C, 0x0E, 0xE0, 0x1C));

    [Fact]
    public void FakeShiftOfTheNavigationBlockDoesNotShift() =>
        Assert.Equal("<Home>a", Decode(0xE0, 0x2A, 0xE0, 0x47, 0xE0, 0xAA, 0x1E));
}
