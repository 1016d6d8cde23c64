using System;
using System.Runtime.CompilerServices;
using StrixOS.Testing;

namespace StrixOS.KernelTests;

/// <summary>
/// A suite that fails on purpose, registered only with <c>strix.fail=test-throw</c> on the command
/// line: its middle test lets an exception escape. The host boot test checks that this fails that
/// test alone (with the exception's type, message and stack) and that the next test still runs.
/// </summary>
public static unsafe class OnPurposeTests
{
    public const string FailKind = "test-throw";

    public static void Register(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("OnPurpose");
        suite.Add(nameof(PassesBefore), &PassesBefore);
        suite.Add(nameof(ThrowsUncaught), &ThrowsUncaught);
        suite.Add(nameof(PassesAfter), &PassesAfter);
    }

    private static void PassesBefore(TestContext t) => t.True(true);

    private static void ThrowsUncaught(TestContext t) => ThrowFromBelow(t.TestName);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowFromBelow(string name) =>
        throw new InvalidOperationException($"{name} threw on purpose", new FormatException("the inner exception"));

    private static void PassesAfter(TestContext t) => t.True(true);
}
