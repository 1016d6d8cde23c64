using System;
using System.Globalization;
using StrixOS.Text;
using Xunit;

namespace StrixOS.Tests.Text;

/// <summary>
/// LineBuilder replaces string interpolation in the boot's lines (docs/benchmarks.md, "Code run once at
/// start-up"): what users see must not change, so every appender is checked against CoreLib's formatting.
/// </summary>
public class LineBuilderTests
{
    private static readonly ulong[] Edges =
    [
        0, 1, 9, 10, 15, 16, 99, 100, 255, 256, 1023, 1024, 4095, 4096, 0xFED00000, 0x7fffffff, 0x80000000,
        uint.MaxValue, 0x1_0000_0000, 0xffff800000000000, 0xffffffff8015c000, long.MaxValue, 1UL << 63, ulong.MaxValue,
    ];

    private static ulong[] Values()
    {
        var random = new Random(17_4);
        var values = new ulong[Edges.Length + 2000];
        Edges.CopyTo(values, 0);
        for (int i = Edges.Length; i < values.Length; i++)
            values[i] = (ulong)random.NextInt64() >> random.Next(64) ^ (random.Next(2) == 0 ? 0 : 1UL << 63);
        return values;
    }

    private static string Build(Action<LineBuilderBox> append)
    {
        var box = new LineBuilderBox();
        append(box);
        return box.Text;
    }

    /// <summary>A ref struct cannot be captured by a lambda; this applies one appender to a fresh builder.</summary>
    private sealed class LineBuilderBox
    {
        public string Text = "";
        public void Decimal(ulong v) { var b = new LineBuilder(stackalloc char[4]); b.Decimal(v); Text = b.ToString(); }
        public void Decimal(long v) { var b = new LineBuilder(stackalloc char[4]); b.Decimal(v); Text = b.ToString(); }
        public void Hex16(ulong v) { var b = new LineBuilder(stackalloc char[4]); b.Hex16(v); Text = b.ToString(); }
        public void HexUpper(ulong v, int digits) { var b = new LineBuilder(stackalloc char[4]); b.HexUpper(v, digits); Text = b.ToString(); }
        public void Size(ulong v) { var b = new LineBuilder(stackalloc char[4]); b.Size(v); Text = b.ToString(); }
    }

    [Fact]
    public void DecimalIsToString()
    {
        foreach (ulong v in Values())
        {
            Assert.Equal(v.ToString(CultureInfo.InvariantCulture), Build(b => b.Decimal(v)));
            Assert.Equal(((long)v).ToString(CultureInfo.InvariantCulture), Build(b => b.Decimal((long)v)));
        }
    }

    [Fact]
    public void Hex16IsLowerCaseX16WithPrefix()
    {
        foreach (ulong v in Values())
            Assert.Equal($"0x{v:x16}", Build(b => b.Hex16(v)));
    }

    [Fact]
    public void HexUpperIsXAndX2()
    {
        foreach (ulong v in Values())
        {
            Assert.Equal(v.ToString("X", CultureInfo.InvariantCulture), Build(b => b.HexUpper(v, 1)));
            Assert.Equal(v.ToString("X2", CultureInfo.InvariantCulture), Build(b => b.HexUpper(v, 2)));
        }
    }

    /// <summary>The size as arithmetic says it: the largest binary unit the value reaches, rounded half up to one decimal.</summary>
    private static string SizeOracle(ulong bytes)
    {
        if (bytes < 1024)
            return $"{bytes} B";
        int unit = 1;
        while (unit < 6 && bytes >> (10 * (unit + 1)) != 0)
            unit++;
        decimal tenths = Math.Round((decimal)bytes * 10 / (decimal)Math.Pow(2, 10 * unit), MidpointRounding.AwayFromZero);
        if (tenths == 10240 && unit < 6)
        {
            tenths = 10;
            unit++;
        }
        string[] names = ["", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        return $"{Math.Floor(tenths / 10)}.{tenths % 10} {names[unit]}";
    }

    [Fact]
    public void SizeIsTheNearestTenthOfTheLargestUnit()
    {
        foreach (ulong v in Values())
            Assert.Equal(SizeOracle(v), Build(b => b.Size(v)));
        Assert.Equal("1.0 MiB", Build(b => b.Size(1024 * 1024 - 1)));
        Assert.Equal("1023.9 KiB", Build(b => b.Size(1024 * 1024 - 103)));
    }

    [Fact]
    public void AFixedBuilderStopsAtItsBufferAndSaysSo()
    {
        Span<char> buffer = stackalloc char[10];
        var line = new LineBuilder(buffer, growable: false);
        line.Append("0123456");
        Assert.False(line.Overflowed);
        line.Hex16(1);
        Assert.True(line.Overflowed);
        line.Append('x');
        Assert.Equal("0123456", line.ToString());
    }

    [Fact]
    public void ALineLongerThanItsBufferIsKeptWhole()
    {
        var line = new LineBuilder(stackalloc char[8]);
        string expected = "";
        for (int i = 0; i < 300; i++)
        {
            line.Append("word ");
            line.Decimal((ulong)i);
            line.Append(';');
            expected += $"word {i};";
        }
        Assert.Equal(expected, line.ToString());
        Assert.Equal(expected, new string(line.Written));
        line.Clear();
        line.Append("again");
        Assert.Equal("again", line.ToString());
    }
}
