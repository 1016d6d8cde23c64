namespace StrixOS.Testing;

/// <summary>What <see cref="ProtocolLineReader.TryParse"/> made of a line of serial output.</summary>
public enum ProtocolLineStatus
{
    /// <summary>Ordinary kernel output: the line does not start with the protocol prefix.</summary>
    NotProtocol,
    Parsed,
    /// <summary>The line claims to be protocol (it starts with the prefix) but breaks the grammar.</summary>
    Malformed,
}
