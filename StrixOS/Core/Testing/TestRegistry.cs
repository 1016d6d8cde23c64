using System.Collections.Generic;

namespace StrixOS.Testing;

/// <summary>
/// Every in-kernel suite, in registration order: a plain table, no reflection. The kernel builds
/// one at start-up in test mode (each area adds its suite with <see cref="AddSuite"/>) and hands it
/// to <see cref="TestRunner"/>. A test's index is its position across all suites; resuming after a
/// fault relies on that order being the same on every boot.
/// </summary>
public sealed class TestRegistry
{
    private readonly List<TestSuite> _suites = new();
    private readonly List<RejectedRegistration> _rejected = new();

    public int SuiteCount => _suites.Count;
    public TestSuite Suite(int index) => _suites[index];

    public int RejectedCount => _rejected.Count;
    public RejectedRegistration Rejected(int index) => _rejected[index];

    public int TestCount
    {
        get
        {
            int count = 0;
            foreach (TestSuite suite in _suites)
                count += suite.Count;
            return count;
        }
    }

    /// <summary>
    /// A new suite to add tests to. An invalid or duplicate name is recorded as rejected (see
    /// <see cref="TestSuite.IsAccepted"/>), and the suite's tests with it.
    /// </summary>
    public TestSuite AddSuite(string name)
    {
        TestRegistration verdict = TestNames.IsValid(name) ? TestRegistration.Added : TestRegistration.InvalidName;
        if (verdict == TestRegistration.Added)
        {
            foreach (TestSuite existing in _suites)
            {
                if (existing.Name == name)
                    verdict = TestRegistration.DuplicateName;
            }
        }
        bool accepted = verdict == TestRegistration.Added;
        if (!accepted)
            _rejected.Add(new RejectedRegistration(name ?? "", "", verdict));
        var suite = new TestSuite(name ?? "", accepted, _rejected);
        if (accepted)
            _suites.Add(suite);
        return suite;
    }
}
