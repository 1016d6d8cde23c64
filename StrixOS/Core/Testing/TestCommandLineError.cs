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

public static class TestCommandLineErrorExtensions
{
    /// <summary>A sentence for a report or panic message (enum names are not available in the kernel: no reflection).</summary>
    public static string Describe(this TestCommandLineError error) => error switch
    {
        TestCommandLineError.None => "no error",
        TestCommandLineError.EmptyFilter => "\"test=\" has no filter after it",
        TestCommandLineError.InvalidFrom => "\"test-from=\" needs a non-negative decimal number",
        TestCommandLineError.UnknownTestWord => "a word starting \"test-\" is not a test option",
        _ => "unknown test command line error",
    };
}
