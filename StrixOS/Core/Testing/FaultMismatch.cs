namespace StrixOS.Testing;

/// <summary>Why a fault report does not meet a <see cref="FaultExpectation"/> (None: it does).</summary>
public enum FaultMismatch
{
    None,
    Vector,
    MissingErrorCode,
    ErrorBitsNotSet,
    ErrorBitsNotClear,
    Address,
}
