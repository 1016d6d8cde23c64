using System;
using System.Runtime.CompilerServices;
using StrixOS.Testing;
using Xunit;

namespace StrixOS.Tests.Runner;

/// <summary>The kernel-side assertions, run on the host: they record, they never throw.</summary>
public sealed class TestContextTests
{
    private sealed record Box(int Value) : IEquatable<Box>;

    [Fact]
    public void PassingAssertionsReturnTrueAndLeaveThePass()
    {
        var t = new TestContext("A.B");
        Assert.True(t.Equal(1ul, 1ul));
        Assert.True(t.Equal(-5L, -5L));
        Assert.True(t.Equal(7, 7));
        Assert.True(t.Equal(true, true));
        Assert.True(t.Equal("x", "x"));
        Assert.True(t.Equal(new Box(3), new Box(3)));
        Assert.True(t.NotEqual(1, 2));
        Assert.True(t.NotEqual(new Box(1), new Box(2)));
        Assert.True(t.True(true));
        Assert.True(t.False(false));
        Assert.True(t.Null(null));
        Assert.True(t.NotNull(t));
        Assert.Equal(TestOutcome.Passed, t.Outcome);
        Assert.Equal(0, t.FailedAssertions);
    }

    [Fact]
    public void FirstFailureIsKeptWithFileAndLine()
    {
        var t = new TestContext("A.B");
        ulong size = 4097;
        int line = Line() + 1;
        Assert.False(t.Equal(4096ul, size));
        Assert.False(t.True(size == 0, "size must be zero"));
        Assert.Equal(TestOutcome.Failed, t.Outcome);
        Assert.Equal(2, t.FailedAssertions);
        Assert.Equal("Equal failed for size: expected 4096 (0x1000), actual 4097 (0x1001)", t.FailureMessage);
        Assert.EndsWith("TestContextTests.cs", t.FailureFile);
        Assert.Equal(line, t.FailureLine);
    }

    [Theory]
    [MemberData(nameof(FailureMessages))]
    public void FailureMessagesShowBothValues(Func<TestContext, bool> assertion, string message)
    {
        var t = new TestContext("A.B");
        Assert.False(assertion(t));
        Assert.Equal(message, t.FailureMessage);
    }

    public static TheoryData<Func<TestContext, bool>, string> FailureMessages() => new()
    {
        { t => t.Equal(3, 4), "Equal failed for 4: expected 3, actual 4" },
        { t => t.Equal(-1L, 16L), "Equal failed for 16L: expected -1 (0xffffffffffffffff), actual 16 (0x10)" },
        { t => t.Equal(true, false), "Equal failed for false: expected true, actual false" },
        { t => t.Equal("abc", "abd"), "Equal failed for \"abd\": expected \"abc\", actual \"abd\", first difference at index 2" },
        { t => t.Equal("abc", null), "Equal failed for null: expected \"abc\", actual null" },
        { t => t.Equal(new Box(1), new Box(2)), "Equal failed for new Box(2): expected Box { Value = 1 }, actual Box { Value = 2 }" },
        { t => t.Equal(new Box(1), null!), "Equal failed for null: expected Box { Value = 1 }, actual null" },
        { t => t.NotEqual(9ul, 9ul), "NotEqual failed for 9ul: both are 9" },
        { t => t.True(1 > 2), "True failed: 1 > 2 is false" },
        { t => t.False(2 > 1, "order"), "False failed: 2 > 1 is true: order" },
        { t => t.Null("x"), "Null failed: \"x\" is not null" },
        { t => t.NotNull(null), "NotNull failed: null is null" },
        { t => t.Fail("by design"), "by design" },
    };

    [Fact]
    public void NullReferenceValuesDoNotCrashTheGenericEqual()
    {
        var t = new TestContext("A.B");
        Assert.True(t.Equal<Box>(null!, null!));
        Assert.False(t.Equal<Box>(null!, new Box(1)));
        Assert.Equal(TestOutcome.Failed, t.Outcome);
    }

    [Fact]
    public void SkipRecordsTheReasonButNeverHidesAFailure()
    {
        var skipped = new TestContext("A.B");
        skipped.Skip("no ACPI");
        Assert.Equal(TestOutcome.Skipped, skipped.Outcome);
        Assert.Equal("no ACPI", skipped.SkipReason);

        var failed = new TestContext("A.B");
        failed.Fail("first");
        failed.Skip("later");
        Assert.Equal(TestOutcome.Failed, failed.Outcome);

        var failedAfterSkip = new TestContext("A.B");
        failedAfterSkip.Skip("first");
        failedAfterSkip.Fail("then broken");
        Assert.Equal(TestOutcome.Failed, failedAfterSkip.Outcome);
    }

    [Fact]
    public void ResetClearsEverything()
    {
        var t = new TestContext("A.B");
        t.Fail("x");
        t.Reset("C.D");
        Assert.Equal("C.D", t.TestName);
        Assert.Equal(TestOutcome.Passed, t.Outcome);
        Assert.Equal(0, t.FailedAssertions);
        Assert.Equal("", t.FailureMessage);
        Assert.Equal("", t.FailureFile);
        Assert.Equal(0, t.FailureLine);
    }

    private static int Line([CallerLineNumber] int line = 0) => line;
}
