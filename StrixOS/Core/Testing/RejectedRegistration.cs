namespace StrixOS.Testing;

/// <summary>A suite or test the registry refused; the runner reports each one and fails the run.</summary>
public readonly struct RejectedRegistration
{
    public RejectedRegistration(string suite, string test, TestRegistration reason)
    {
        Suite = suite;
        Test = test;
        Reason = reason;
    }

    public string Suite { get; }

    /// <summary>Empty when the suite itself was rejected.</summary>
    public string Test { get; }

    public TestRegistration Reason { get; }

    public string ReasonText => Reason switch
    {
        TestRegistration.InvalidName => "invalid-name",
        TestRegistration.DuplicateName => "duplicate-name",
        TestRegistration.MissingBody => "missing-body",
        TestRegistration.ContradictoryExpectation => "contradictory-expectation",
        TestRegistration.SuiteRejected => "suite-rejected",
        _ => "unknown",
    };
}
