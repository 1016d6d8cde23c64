using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace StrixOS.Testing;

/// <summary>
/// A named group of in-kernel tests, run in the order they were added. Made by
/// <see cref="TestRegistry.AddSuite"/>; a rejected registration is returned as a value and
/// remembered, and the runner reports it and fails the run.
/// </summary>
public sealed unsafe class TestSuite
{
    private readonly List<TestCase> _tests = new();
    private readonly List<RejectedRegistration> _rejected;

    internal TestSuite(string name, bool accepted, List<RejectedRegistration> rejected)
    {
        Name = name;
        IsAccepted = accepted;
        _rejected = rejected;
    }

    public string Name { get; }

    /// <summary>False when the registry refused the suite's name; such a suite runs nothing.</summary>
    public bool IsAccepted { get; }

    public int Count => _tests.Count;

    public TestCase this[int index] => _tests[index];

    public TestRegistration Add(string name, delegate*<TestContext, void> body,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        Add(name, body, default, expectsFault: false, file, line);

    /// <summary>A test that must end in the given CPU exception (the host runner checks the kernel's fault report).</summary>
    public TestRegistration AddExpectingFault(string name, delegate*<TestContext, void> body, FaultExpectation expectation,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        Add(name, body, expectation, expectsFault: true, file, line);

    private TestRegistration Add(string name, delegate*<TestContext, void> body, FaultExpectation expectation, bool expectsFault,
        string file, int line)
    {
        TestRegistration verdict = Check(name, body, expectation, expectsFault);
        if (verdict != TestRegistration.Added)
        {
            _rejected.Add(new RejectedRegistration(Name, name ?? "", verdict));
            return verdict;
        }
        _tests.Add(new TestCase(Name, name, body, expectation, expectsFault, file, line));
        return verdict;
    }

    private TestRegistration Check(string? name, delegate*<TestContext, void> body, FaultExpectation expectation, bool expectsFault)
    {
        if (!IsAccepted)
            return TestRegistration.SuiteRejected;
        if (!TestNames.IsValid(name))
            return TestRegistration.InvalidName;
        if (body == null)
            return TestRegistration.MissingBody;
        if (expectsFault && expectation.IsContradictory)
            return TestRegistration.ContradictoryExpectation;
        foreach (TestCase existing in _tests)
        {
            if (existing.Name == name)
                return TestRegistration.DuplicateName;
        }
        return TestRegistration.Added;
    }
}
