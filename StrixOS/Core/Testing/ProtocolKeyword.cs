namespace StrixOS.Testing;

/// <summary>The keywords of protocol version 1, the word after the prefix (docs/testing.md).</summary>
public static class ProtocolKeyword
{
    public const string Hello = "hello";
    public const string Rejected = "rejected";
    public const string Plan = "plan";
    public const string Suite = "suite";
    public const string Test = "test";
    public const string Pass = "pass";
    public const string Fail = "fail";
    public const string Skip = "skip";
    public const string SuiteEnd = "suite-end";
    public const string End = "end";
    public const string Fault = "fault";
    public const string Panic = "panic";
}
