using System.Collections.Generic;
using System.Text;
using StrixOS.Testing;

namespace StrixOS.Tests.Runner;

/// <summary>The host's stand-in for the serial port: protocol lines collected in memory.</summary>
public sealed class StringBuilderOutput : ITestOutput
{
    private readonly StringBuilder _text = new();
    private readonly List<string> _lines = new();

    public IReadOnlyList<string> Lines => _lines;

    public void WriteLine(string line)
    {
        _lines.Add(line);
        _text.Append(line).Append('\n');
    }

    public override string ToString() => _text.ToString();
}
