namespace StrixOS.Testing;

public enum TestCommandLineError
{
    None,
    /// <summary>"test=" with nothing after it.</summary>
    EmptyFilter,
    /// <summary>"test-from=" without a non-negative decimal number.</summary>
    InvalidFrom,
    /// <summary>A word starting "test-" that is not one of ours (a typo must not silently run everything).</summary>
    UnknownTestWord,
}
