using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using StrixOS.Testing;

namespace StrixOS.KernelTests;

/// <summary>
/// Exceptions through CoreLib's own dispatcher: catch by type, filters, finally on the exception
/// path, rethrow, nested handlers, exceptions crossing every kind of call, exceptions CoreLib and
/// the CPU raise, and a long throw/catch loop that must not leak.
/// </summary>
public static unsafe class ExceptionTests
{
    public static void Register(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("Exceptions");
        suite.Add(nameof(CatchesExactType), &CatchesExactType);
        suite.Add(nameof(CatchesBaseType), &CatchesBaseType);
        suite.Add(nameof(SkipsNonMatchingCatch), &SkipsNonMatchingCatch);
        suite.Add(nameof(FiltersChooseTheHandler), &FiltersChooseTheHandler);
        suite.Add(nameof(ThrowingFilterCountsAsFalse), &ThrowingFilterCountsAsFalse);
        suite.Add(nameof(FinallyRunsAcrossOneFrame), &FinallyRunsAcrossOneFrame);
        suite.Add(nameof(FinallyRunsAcrossTwoFrames), &FinallyRunsAcrossTwoFrames);
        suite.Add(nameof(FinallyAndUsingRunAcrossFiftyFrames), &FinallyAndUsingRunAcrossFiftyFrames);
        suite.Add(nameof(FinallyRunsWithoutException), &FinallyRunsWithoutException);
        suite.Add(nameof(RethrowKeepsTheException), &RethrowKeepsTheException);
        suite.Add(nameof(ThrowExThrowsTheSameObject), &ThrowExThrowsTheSameObject);
        suite.Add(nameof(NestedTryInsideCatch), &NestedTryInsideCatch);
        suite.Add(nameof(NestedTryInsideFinally), &NestedTryInsideFinally);
        suite.Add(nameof(ExceptionThrownInCatchReachesOuterHandler), &ExceptionThrownInCatchReachesOuterHandler);
        suite.Add(nameof(ExceptionThrownInFinallyReplacesTheFirst), &ExceptionThrownInFinallyReplacesTheFirst);
        suite.Add(nameof(CrossesGenericVirtualInterfaceDelegateLambdaIterator), &CrossesGenericVirtualInterfaceDelegateLambdaIterator);
        suite.Add(nameof(CoreLibThrowsFormatException), &CoreLibThrowsFormatException);
        suite.Add(nameof(CoreLibThrowsKeyNotFoundException), &CoreLibThrowsKeyNotFoundException);
        suite.Add(nameof(CheckedArithmeticThrowsOverflowException), &CheckedArithmeticThrowsOverflowException);
        suite.Add(nameof(IndexOutOfRangeIsCatchable), &IndexOutOfRangeIsCatchable);
        suite.Add(nameof(InvalidCastIsCatchable), &InvalidCastIsCatchable);
        suite.Add(nameof(UnboxingTheWrongTypeThrowsInvalidCastException), &UnboxingTheWrongTypeThrowsInvalidCastException);
        suite.Add(nameof(UnboxingToTheWrongNullableThrowsInvalidCastException), &UnboxingToTheWrongNullableThrowsInvalidCastException);
        suite.Add(nameof(UnboxingNullThrowsNullReferenceException), &UnboxingNullThrowsNullReferenceException);
        suite.Add(nameof(CoreLibGetRuntimeExceptionAnswers), &CoreLibGetRuntimeExceptionAnswers);
        suite.Add(nameof(StoringTheWrongTypeInAnArrayThrowsArrayTypeMismatchException), &StoringTheWrongTypeInAnArrayThrowsArrayTypeMismatchException);
        suite.Add(nameof(SourceLineTableLocatesThisMethod), &SourceLineTableLocatesThisMethod);
        suite.Add(nameof(ArgumentNullIsCatchable), &ArgumentNullIsCatchable);
        suite.Add(nameof(NullDereferenceBecomesNullReferenceException), &NullDereferenceBecomesNullReferenceException);
        suite.Add(nameof(DivisionByZeroBecomesDivideByZeroException), &DivisionByZeroBecomesDivideByZeroException);
        suite.Add(nameof(ThrowingNullThrowsNullReferenceException), &ThrowingNullThrowsNullReferenceException);
        suite.Add(nameof(TenThousandThrowsDoNotLeak), &TenThousandThrowsDoNotLeak);
        suite.Add(nameof(EnvironmentStackTraceListsTheCallers), &EnvironmentStackTraceListsTheCallers);
        suite.Add(nameof(CaughtStackTraceNamesThrowerAndCaller), &CaughtStackTraceNamesThrowerAndCaller);
        suite.Add(nameof(ToStringHasTypeMessageAndFrames), &ToStringHasTypeMessageAndFrames);
    }

    private sealed class TestException(string message, int code = 0) : Exception(message)
    {
        public int Code { get; } = code;
    }

    private sealed class DerivedTestException(string message) : InvalidOperationException(message);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(string message, int code = 0) => throw new TestException(message, code);

    private static void CatchesExactType(TestContext t)
    {
        string caught = "";
        try
        {
            Throw("exact");
        }
        catch (TestException e)
        {
            caught = e.Message;
        }
        t.Equal("exact", caught);
    }

    private static void CatchesBaseType(TestContext t)
    {
        Exception? caught = null;
        try
        {
            throw new DerivedTestException("derived");
        }
        catch (InvalidOperationException e)
        {
            caught = e;
        }
        t.True(caught is DerivedTestException);
        t.Equal("derived", caught?.Message);
    }

    private static void SkipsNonMatchingCatch(TestContext t)
    {
        int path = 0;
        try
        {
            try
            {
                Throw("skip");
            }
            catch (ArgumentException)
            {
                path = 1;
            }
        }
        catch (TestException)
        {
            path = 2;
        }
        t.Equal(2, path);
    }

    private static void FiltersChooseTheHandler(TestContext t)
    {
        int handler = 0;
        int filtersRun = 0;
        try
        {
            Throw("filtered", code: 7);
        }
        catch (TestException e) when (++filtersRun > 0 && e.Code == 3)
        {
            handler = 3;
        }
        catch (TestException e) when (++filtersRun > 0 && e.Code == 7)
        {
            handler = 7;
        }
        t.Equal(7, handler);
        t.Equal(2, filtersRun);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool ThrowingPredicate(Exception e) => throw new InvalidOperationException("from a filter: " + e.Message);

    private static void ThrowingFilterCountsAsFalse(TestContext t)
    {
        int handler = 0;
        try
        {
            try
            {
                Throw("inner");
            }
            catch (TestException e) when (ThrowingPredicate(e))
            {
                handler = 1;
            }
        }
        catch (TestException e)
        {
            handler = e.Message == "inner" ? 2 : 3;
        }
        t.Equal(2, handler);
    }

    private static int s_finallyCount;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowWithFinally(int depth)
    {
        try
        {
            if (depth <= 1)
                Throw("deep");
            else
                ThrowWithFinally(depth - 1);
        }
        finally
        {
            s_finallyCount++;
        }
    }

    private static void FinallyRunsAcrossOneFrame(TestContext t) => CheckFinallyDepth(t, 1);
    private static void FinallyRunsAcrossTwoFrames(TestContext t) => CheckFinallyDepth(t, 2);

    private static void CheckFinallyDepth(TestContext t, int depth)
    {
        s_finallyCount = 0;
        bool caught = false;
        try
        {
            ThrowWithFinally(depth);
        }
        catch (TestException)
        {
            caught = true;
            t.Equal(depth, s_finallyCount, "every finally ran before the catch");
        }
        t.True(caught);
        t.Equal(depth, s_finallyCount);
    }

    private sealed class Tracker(List<int> disposed, int id) : IDisposable
    {
        public void Dispose() => disposed.Add(id);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowWithUsing(List<int> disposed, int depth)
    {
        using var tracker = new Tracker(disposed, depth);
        try
        {
            if (depth <= 1)
                Throw("fifty");
            else
                ThrowWithUsing(disposed, depth - 1);
        }
        finally
        {
            s_finallyCount++;
        }
    }

    private static void FinallyAndUsingRunAcrossFiftyFrames(TestContext t)
    {
        var disposed = new List<int>();
        s_finallyCount = 0;
        try
        {
            ThrowWithUsing(disposed, 50);
        }
        catch (TestException e)
        {
            t.Equal("fifty", e.Message);
        }
        t.Equal(50, s_finallyCount);
        t.Equal(50, disposed.Count);
        // Innermost first: depth 1 is disposed first, depth 50 last.
        t.Equal(1, disposed[0]);
        t.Equal(50, disposed[49]);
    }

    private static void FinallyRunsWithoutException(TestContext t)
    {
        int steps = 0;
        try
        {
            steps++;
        }
        finally
        {
            steps += 10;
        }
        t.Equal(11, steps);
    }

    private static void RethrowKeepsTheException(TestContext t)
    {
        TestException? first = null;
        Exception? outer = null;
        try
        {
            try
            {
                Throw("again");
            }
            catch (TestException e)
            {
                first = e;
                throw;
            }
        }
        catch (Exception e)
        {
            outer = e;
        }
        t.NotNull(first);
        t.True(ReferenceEquals(first, outer), "throw; rethrows the same object");
    }

    private static void ThrowExThrowsTheSameObject(TestContext t)
    {
        TestException? first = null;
        Exception? outer = null;
        try
        {
            try
            {
                Throw("again");
            }
            catch (TestException e)
            {
                first = e;
#pragma warning disable CA2200 // the point of the test: `throw e` (not `throw;`)
                throw e;
#pragma warning restore CA2200
            }
        }
        catch (Exception e)
        {
            outer = e;
        }
        t.True(ReferenceEquals(first, outer));
    }

    private static void NestedTryInsideCatch(TestContext t)
    {
        string log = "";
        try
        {
            Throw("a");
        }
        catch (TestException a)
        {
            try
            {
                Throw("b");
            }
            catch (TestException b)
            {
                log = a.Message + b.Message;
            }
            log += a.Message;
        }
        t.Equal("aba", log);
    }

    private static void NestedTryInsideFinally(TestContext t)
    {
        string log = "";
        try
        {
            try
            {
                Throw("outer");
            }
            finally
            {
                try
                {
                    Throw("inner");
                }
                catch (TestException e)
                {
                    log += e.Message + ",";
                }
            }
        }
        catch (TestException e)
        {
            log += e.Message;
        }
        t.Equal("inner,outer", log);
    }

    private static void ExceptionThrownInCatchReachesOuterHandler(TestContext t)
    {
        Exception? caught = null;
        try
        {
            try
            {
                Throw("first");
            }
            catch (TestException e)
            {
                throw new InvalidOperationException("second", e);
            }
        }
        catch (InvalidOperationException e)
        {
            caught = e;
        }
        t.Equal("second", caught?.Message);
        t.Equal("first", caught?.InnerException?.Message);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowFromFinally()
    {
        try
        {
            Throw("lost");
        }
        finally
        {
            throw new InvalidOperationException("replacement");
        }
    }

    private static void ExceptionThrownInFinallyReplacesTheFirst(TestContext t)
    {
        string caught = "";
        try
        {
            ThrowFromFinally();
        }
        catch (TestException)
        {
            caught = "first";
        }
        catch (InvalidOperationException e)
        {
            caught = e.Message;
        }
        t.Equal("replacement", caught);
    }

    private interface IThrower { void Go(string message); }
    private abstract class ThrowerBase { public abstract void Go(string message); }
    private sealed class Thrower : ThrowerBase, IThrower
    {
        public override void Go(string message) => Throw(message);
        void IThrower.Go(string message) => Throw("interface " + message);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static T Generic<T>(T value) where T : class => value is string s ? throw new TestException("generic " + s) : value;

    private static IEnumerable<int> Iterate()
    {
        yield return 1;
        Throw("iterator");
        yield return 2;
    }

    private static string Catch(Action action)
    {
        try
        {
            action();
            return "none";
        }
        catch (TestException e)
        {
            return e.Message;
        }
    }

    private static void CrossesGenericVirtualInterfaceDelegateLambdaIterator(TestContext t)
    {
        ThrowerBase virtualCall = new Thrower();
        IThrower interfaceCall = new Thrower();
        Action<string> throwDelegate = Throw0;
        t.Equal("generic g", Catch(() => Generic<object>("g")));
        t.Equal("virtual", Catch(() => virtualCall.Go("virtual")));
        t.Equal("interface x", Catch(() => interfaceCall.Go("x")));
        t.Equal("delegate", Catch(() => throwDelegate("delegate")));
        int captured = 5;
        t.Equal("lambda 5", Catch(() => Throw("lambda " + captured)));
        int sum = 0;
        t.Equal("iterator", Catch(() => { foreach (int i in Iterate()) sum += i; }));
        t.Equal(1, sum);
    }

    private static void Throw0(string message) => Throw(message);

    private static void CoreLibThrowsFormatException(TestContext t)
    {
        bool caught = false;
        try
        {
            int.Parse("x");
        }
        catch (FormatException)
        {
            caught = true;
        }
        t.True(caught);
    }

    private static void CoreLibThrowsKeyNotFoundException(TestContext t)
    {
        var map = new Dictionary<string, int> { ["a"] = 1 };
        bool caught = false;
        try
        {
            _ = map["missing"];
        }
        catch (KeyNotFoundException)
        {
            caught = true;
        }
        t.True(caught);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Opaque(int value) => value;

    private static void CheckedArithmeticThrowsOverflowException(TestContext t)
    {
        bool caught = false;
        try
        {
            _ = checked(Opaque(int.MaxValue) + Opaque(1));
        }
        catch (OverflowException)
        {
            caught = true;
        }
        t.True(caught);
    }

    private static void IndexOutOfRangeIsCatchable(TestContext t)
    {
        int[] data = new int[3];
        bool caught = false;
        try
        {
            data[Opaque(3)] = 1;
        }
        catch (IndexOutOfRangeException)
        {
            caught = true;
        }
        t.True(caught);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static object Box(object value) => value;

    private static void InvalidCastIsCatchable(TestContext t)
    {
        bool caught = false;
        try
        {
            _ = (string)Box(42);
        }
        catch (InvalidCastException)
        {
            caught = true;
        }
        t.True(caught);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static T Unbox<T>(object? boxed) => (T)boxed!;

    private static Exception? Catch(delegate*<object?, int> action, object? argument)
    {
        try
        {
            action(argument);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private static int UnboxInt(object? boxed) => Unbox<int>(boxed);
    private static int UnboxLong(object? boxed) => (int)Unbox<long>(boxed);
    private static int UnboxNullableInt(object? boxed) => Unbox<int?>(boxed) ?? -1;

    private static string Describe(Exception? e) => e == null ? "nothing was thrown" : e.GetType().FullName ?? "?";

    // CoreLib's unbox helpers ask its RuntimeExceptionHelpers.GetRuntimeException for the exception.
    private static void UnboxingTheWrongTypeThrowsInvalidCastException(TestContext t)
    {
        Exception? fromString = Catch(&UnboxInt, "not an int");
        t.True(fromString is InvalidCastException, Describe(fromString));
        Exception? fromInt = Catch(&UnboxLong, 42);
        t.True(fromInt is InvalidCastException, Describe(fromInt));
        t.Equal(42, Catch(&UnboxInt, 42) == null ? UnboxInt(42) : -1);
    }

    private static void UnboxingToTheWrongNullableThrowsInvalidCastException(TestContext t)
    {
        Exception? e = Catch(&UnboxNullableInt, 42L);
        t.True(e is InvalidCastException, Describe(e));
        t.Equal(-1, UnboxNullableInt(null));
    }

    private static void UnboxingNullThrowsNullReferenceException(TestContext t)
    {
        Exception? e = Catch(&UnboxInt, null);
        t.True(e is NullReferenceException, Describe(e));
    }

    [MethodImpl(MethodImplOptions.InternalCall), System.Runtime.RuntimeImport("GetRuntimeException")]
    private static extern Exception? CoreLibGetRuntimeException(int id, nint faultingIp);

    /// <summary>
    /// CoreLib's own GetRuntimeException (what its unbox and cast helpers call) returns real exception
    /// objects: it answers null until its reflection layer has registered itself at start-up.
    /// </summary>
    private static void CoreLibGetRuntimeExceptionAnswers(TestContext t)
    {
        const int InvalidCast = 6, IndexOutOfRange = 5, ArrayTypeMismatch = 3, NullReference = 8;
        t.True(CoreLibGetRuntimeException(InvalidCast, 0) is InvalidCastException, Describe(CoreLibGetRuntimeException(InvalidCast, 0)));
        t.True(CoreLibGetRuntimeException(IndexOutOfRange, 0) is IndexOutOfRangeException, "IndexOutOfRange");
        t.True(CoreLibGetRuntimeException(ArrayTypeMismatch, 0) is ArrayTypeMismatchException, "ArrayTypeMismatch");
        t.True(CoreLibGetRuntimeException(NullReference, 0) is NullReferenceException, "NullReference");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int StoreInto(object? array) => ((object[])array!)[0] is null ? StoreFirst((object[])array!, 42) : 0;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int StoreFirst(object[] array, object value)
    {
        array[0] = value;                                   // CoreLib's StelemRef helper checks the element type
        return 1;
    }

    private static void StoringTheWrongTypeInAnArrayThrowsArrayTypeMismatchException(TestContext t)
    {
        Exception? e = Catch(&StoreInto, new string[1]);
        t.True(e is ArrayTypeMismatchException, Describe(e));
        t.Equal(1, StoreFirst(new object[1], 42));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int LineProbe()
    {
        return LineHere();
    }

    private static int LineHere([CallerLineNumber] int line = 0) => line;

    /// <summary>The DWARF line table (boot module strix.lines) maps a method's code to this file and its lines.</summary>
    private static void SourceLineTableLocatesThisMethod(TestContext t)
    {
        if (!Diagnostics.SourceLineTable.IsLoaded)
        {
            t.Skip("no strix.lines line table (a build without DWARF)");
            return;
        }
        if (!KernelFeatures.ManagedLineInfo)
        {
            t.Skip("ILC compiled the C# without line information (StrixIlcDebugInfo, off in Release): strix.lines covers the assembly only");
            return;
        }
        int bodyLine = LineProbe();
        ulong start = (ulong)(delegate*<int>)&LineProbe;
        if (!t.True(Diagnostics.SourceLineTable.TryLocate(start, start, out SourceLines.SourceLocation location), "no line for LineProbe's code"))
            return;
        t.True(location.File.EndsWith("/KernelTests/ExceptionTests.cs", StringComparison.Ordinal), location.File);
        t.True(location.Line >= bodyLine - 3 && location.Line <= bodyLine, $"LineProbe starts at line {location.Line}, its body is at {bodyLine}");
        t.False(Diagnostics.SourceLineTable.TryLocate(0x1000, 0, out _), "an address outside the image has no line");
    }

    private static void ArgumentNullIsCatchable(TestContext t)
    {
        string? name = null;
        try
        {
            ArgumentNullException.ThrowIfNull(Box(null!), "value");
        }
        catch (ArgumentNullException e)
        {
            name = e.ParamName;
        }
        t.Equal("value", name);
    }

    private sealed class Holder { public int Value = 1; }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Holder? NoHolder() => null;

    private static void NullDereferenceBecomesNullReferenceException(TestContext t)
    {
        bool caught = false;
        try
        {
            _ = NoHolder()!.Value;
        }
        catch (NullReferenceException)
        {
            caught = true;
        }
        t.True(caught);
    }

    private static void DivisionByZeroBecomesDivideByZeroException(TestContext t)
    {
        bool caught = false;
        try
        {
            _ = Opaque(10) / Opaque(0);
        }
        catch (DivideByZeroException)
        {
            caught = true;
        }
        t.True(caught);
    }

    private static void ThrowingNullThrowsNullReferenceException(TestContext t)
    {
        bool caught = false;
        try
        {
            throw (Exception)Box(null!);
        }
        catch (NullReferenceException)
        {
            caught = true;
        }
        t.True(caught);
    }

    private static void TenThousandThrowsDoNotLeak(TestContext t)
    {
        const int Cycles = 10_000;
        // Warm up (first-use static constructors, the unwinder's FDE index), then measure.
        Catch(() => Throw("warm"));
        ulong before = Runtime.KernelHeap.BytesInUse;
        for (int i = 0; i < Cycles; i++)
            _ = new TestException("cycle");
        ulong objectsOnly = Runtime.KernelHeap.BytesInUse - before;
        before = Runtime.KernelHeap.BytesInUse;
        int caught = 0;
        for (int i = 0; i < Cycles; i++)
        {
            try
            {
                Throw("cycle");
            }
            catch (TestException)
            {
                caught++;
            }
        }
        ulong thrown = Runtime.KernelHeap.BytesInUse - before;
        t.Equal(Cycles, caught);
        ulong perThrowExtra = (thrown - objectsOnly) / Cycles;
        // Beyond the exception object, a throw may keep only its stack-trace array (CoreLib's
        // AppendExceptionStackFrame: an IntPtr[16] of IPs, 152 bytes, a 160-byte size class of the
        // heap); the dispatcher and unwinder allocate nothing.
        t.True(thrown >= objectsOnly && perThrowExtra <= 160, $"heap grew {thrown} bytes for {Cycles} throws vs {objectsOnly} for the objects alone ({perThrowExtra} bytes per throw beyond the object)");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string StackTraceFromHere() => Environment.StackTrace;

    /// <summary>The text of the frame line that names <paramref name="method"/>, or null.</summary>
    private static string? FrameNaming(string trace, string method)
    {
        foreach (string line in trace.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.TrimStart().StartsWith("at ", StringComparison.Ordinal) && line.Contains("." + method + "(", StringComparison.Ordinal))
                return line;
        }
        return null;
    }

    /// <summary>
    /// Environment.StackTrace walks the live stack (RhpGetCurrentThreadStackTrace) and names each frame
    /// from ILC's stack-trace metadata (System.Private.StackTraceMetadata): the helper that asked, then
    /// this test method, with their declaring type.
    /// </summary>
    private static void EnvironmentStackTraceListsTheCallers(TestContext t)
    {
        string trace = StackTraceFromHere();
        string? helper = FrameNaming(trace, nameof(StackTraceFromHere));
        string? test = FrameNaming(trace, nameof(EnvironmentStackTraceListsTheCallers));
        t.True(helper is not null && helper.Contains("StrixOS.KernelTests.ExceptionTests.", StringComparison.Ordinal), "the helper's frame, with its type: " + trace);
        t.True(test is not null, "this test's frame: " + trace);
        t.True(helper is not null && test is not null && trace.IndexOf(helper, StringComparison.Ordinal) < trace.IndexOf(test, StringComparison.Ordinal),
            "the helper's frame comes before its caller's: " + trace);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowFromNamedMethod() => throw new TestException("named");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CallerOfTheThrower() => ThrowFromNamedMethod();

    /// <summary>
    /// A caught exception's StackTrace is built by the dispatcher (one IP per frame it passes) and
    /// named by the metadata: the throwing method first, then its caller, then this test.
    /// </summary>
    private static void CaughtStackTraceNamesThrowerAndCaller(TestContext t)
    {
        string? trace = null;
        try
        {
            CallerOfTheThrower();
        }
        catch (TestException e)
        {
            trace = e.StackTrace;
        }
        if (!t.True(trace is not null, "StackTrace of a caught exception is not null"))
            return;
        string[] frames = trace!.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        t.True(frames.Length >= 3, "thrower, caller and test: " + trace);
        t.True(frames.Length >= 1 && frames[0].Contains("ExceptionTests." + nameof(ThrowFromNamedMethod) + "(", StringComparison.Ordinal), "first frame is the thrower: " + trace);
        t.True(frames.Length >= 2 && frames[1].Contains("ExceptionTests." + nameof(CallerOfTheThrower) + "(", StringComparison.Ordinal), "second frame is its caller: " + trace);
        t.True(FrameNaming(trace, nameof(CaughtStackTraceNamesThrowerAndCaller)) is not null, "the catching method's frame: " + trace);
    }

    /// <summary>ToString(): "type: message", then the frames, each "   at Namespace.Type.Method(...)".</summary>
    private static void ToStringHasTypeMessageAndFrames(TestContext t)
    {
        string text = "";
        try
        {
            CallerOfTheThrower();
        }
        catch (TestException e)
        {
            text = e.ToString();
        }
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        t.True(lines.Length >= 3, "a header and frames: " + text);
        t.True(lines.Length >= 1 && lines[0].StartsWith("StrixOS.KernelTests.ExceptionTests+TestException: named", StringComparison.Ordinal), "type and message first: " + text);
        t.True(lines.Length >= 2 && lines[1].StartsWith("   at StrixOS.KernelTests.ExceptionTests." + nameof(ThrowFromNamedMethod) + "(", StringComparison.Ordinal), "then the thrower's frame: " + text);

        // An exception that was never thrown has no frames: the header alone.
        string unthrown = new InvalidOperationException("x").ToString();
        t.Equal("System.InvalidOperationException: x", unthrown);
    }
}
