namespace StrixOS.Testing;

/// <summary>One in-kernel test: a name, a static method taking the context, and, for an expected-fault test, the fault it must end in.</summary>
public readonly unsafe struct TestCase
{
    public TestCase(string suite, string name, delegate*<TestContext, void> body, FaultExpectation expectation, bool expectsFault,
        string registeredFile = "", int registeredLine = 0)
    {
        RegisteredFile = registeredFile;
        RegisteredLine = registeredLine;
        Suite = suite;
        Name = name;
        FullName = suite + "." + name;
        Body = body;
        Expectation = expectation;
        ExpectsFault = expectsFault;
    }

    public string Suite { get; }
    public string Name { get; }

    /// <summary>"Suite.Test": what filters match and what the protocol reports.</summary>
    public string FullName { get; }

    public delegate*<TestContext, void> Body { get; }
    public bool ExpectsFault { get; }

    /// <summary>Where the test was added: the place to blame when an expected fault never came.</summary>
    public string RegisteredFile { get; }
    public int RegisteredLine { get; }

    /// <summary>Meaningful only when <see cref="ExpectsFault"/> is set.</summary>
    public FaultExpectation Expectation { get; }
}
