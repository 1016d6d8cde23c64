using System;

namespace StrixOS.Testing;

/// <summary>
/// Marks an in-kernel test: a <c>static void Name(TestContext t)</c> method of a <c>partial</c> class.
/// StrixOS.Generators writes the class's <c>RegisterKernelTests(TestRegistry)</c>, which adds every
/// marked method, in source order, as one suite (docs/testing.md). Tests that expect a CPU fault are
/// still registered by hand (<see cref="TestSuite.AddExpectingFault"/>), on the suite it returns.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class KernelTestAttribute : Attribute
{
}
