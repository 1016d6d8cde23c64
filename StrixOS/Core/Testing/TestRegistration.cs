namespace StrixOS.Testing;

/// <summary>The answer to adding a suite or a test: errors are values, not exceptions.</summary>
public enum TestRegistration
{
    Added,
    /// <summary>Names are 1-64 characters, ASCII letters, digits and '_', not starting with a digit.</summary>
    InvalidName,
    DuplicateName,
    MissingBody,
    /// <summary>An expected fault requiring one error-code bit both set and clear.</summary>
    ContradictoryExpectation,
    /// <summary>The suite itself was rejected, so its tests are too.</summary>
    SuiteRejected,
}
