using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Text;
using StrixOS.Testing;

namespace StrixOS.KernelTests;

/// <summary>
/// Ordinary C#, as a new user writes it: the language features and everyday library calls, each
/// checked against the value .NET gives on the host.
/// </summary>
public static unsafe class LanguageTests
{
    public static void Register(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("Language");
        suite.Add(nameof(PatternMatching), &PatternMatching);
        suite.Add(nameof(SwitchExpressionsAndRelationalPatterns), &SwitchExpressionsAndRelationalPatterns);
        suite.Add(nameof(TuplesAndDeconstruction), &TuplesAndDeconstruction);
        suite.Add(nameof(ClosuresAndLocalFunctions), &ClosuresAndLocalFunctions);
        suite.Add(nameof(IteratorsAndYield), &IteratorsAndYield);
        suite.Add(nameof(RangesAndIndices), &RangesAndIndices);
        suite.Add(nameof(NullableValueTypesAndOperators), &NullableValueTypesAndOperators);
        suite.Add(nameof(DefaultInterfaceMethods), &DefaultInterfaceMethods);
        suite.Add(nameof(StaticAbstractInterfaceMembers), &StaticAbstractInterfaceMembers);
        suite.Add(nameof(GenericMath), &GenericMath);
        suite.Add(nameof(RecordStructsAndWith), &RecordStructsAndWith);
        suite.Add(nameof(StringOperations), &StringOperations);
        suite.Add(nameof(StringBuilderAndFormatting), &StringBuilderAndFormatting);
        suite.Add(nameof(NumberParsingAndFormatting), &NumberParsingAndFormatting);
        suite.Add(nameof(DecimalArithmetic), &DecimalArithmetic);
        suite.Add(nameof(BigIntegers), &BigIntegers);
        suite.Add(nameof(Int128AndOverflowChecks), &Int128AndOverflowChecks);
        suite.Add(nameof(SpanAndMemoryOperations), &SpanAndMemoryOperations);
        suite.Add(nameof(CollectionsBeyondList), &CollectionsBeyondList);
        suite.Add(nameof(SortingAndSearching), &SortingAndSearching);
        suite.Add(nameof(DelegatesAndEvents), &DelegatesAndEvents);
        suite.Add(nameof(OperatorOverloadingAndConversions), &OperatorOverloadingAndConversions);
        suite.Add(nameof(StructsAndRefReturns), &StructsAndRefReturns);
        suite.Add(nameof(InheritanceAndVirtualCalls), &InheritanceAndVirtualCalls);
        suite.Add(nameof(EqualityAndHashing), &EqualityAndHashing);
        suite.Add(nameof(TextEncodings), &TextEncodings);
        suite.Add(nameof(LazyAndCompareExchange), &LazyAndCompareExchange);
        suite.Add(nameof(BitOperations), &BitOperations);
    }

    private abstract record Shape;
    private sealed record Circle(double Radius) : Shape;
    private sealed record Rect(double Width, double Height) : Shape;

    private static double Area(Shape shape) => shape switch
    {
        Circle { Radius: var r } => 3 * r * r,
        Rect(var w, var h) when w == h => w * w,
        Rect r => r.Width * r.Height,
        _ => -1,
    };

    private static void PatternMatching(TestContext t)
    {
        t.Equal(12.0, Area(new Circle(2)));
        t.Equal(9.0, Area(new Rect(3, 3)));
        t.Equal(6.0, Area(new Rect(2, 3)));
        object boxed = 42;
        t.True(boxed is int n && n > 40, "type pattern with condition");
        int[] list = [1, 2, 3, 4];
        t.True(list is [1, _, .., 4], "list pattern");
        t.True(list is [_, var second, ..] && second == 2, "list pattern capture");
    }

    private static string Classify(int value) => value switch
    {
        < 0 => "negative",
        0 => "zero",
        > 0 and < 10 => "small",
        _ => "large",
    };

    private static void SwitchExpressionsAndRelationalPatterns(TestContext t)
    {
        t.Equal("negative", Classify(-5));
        t.Equal("zero", Classify(0));
        t.Equal("small", Classify(7));
        t.Equal("large", Classify(70));
        char c = 'q';
        t.True(c is >= 'a' and <= 'z', "char range pattern");
    }

    private static (int Min, int Max) MinMax(int[] values) => (values.Min(), values.Max());

    private static void TuplesAndDeconstruction(TestContext t)
    {
        var (min, max) = MinMax([5, 3, 9, 1]);
        t.Equal(1, min);
        t.Equal(9, max);
        (int a, int b) = (1, 2);
        (a, b) = (b, a);
        t.Equal(2, a);
        t.Equal(1, b);
        t.Equal("(1, x)", (1, "x").ToString());
        t.True((1, 2) == (1, 2), "tuple equality");
    }

    private static void ClosuresAndLocalFunctions(TestContext t)
    {
        int counter = 0;
        Action increment = () => counter++;
        increment();
        increment();
        t.Equal(2, counter);
        static int Fibonacci(int n) => n < 2 ? n : Fibonacci(n - 1) + Fibonacci(n - 2);
        t.Equal(6765, Fibonacci(20));
        var adders = new List<Func<int, int>>();
        for (int i = 0; i < 3; i++)
        {
            int captured = i;
            adders.Add(x => x + captured);
        }
        t.Equal(12, adders.Sum(f => f(3)));
    }

    private static IEnumerable<int> Primes()
    {
        for (int n = 2; ; n++)
        {
            bool prime = true;
            for (int d = 2; d * d <= n; d++)
                if (n % d == 0) { prime = false; break; }
            if (prime)
                yield return n;
        }
    }

    private static void IteratorsAndYield(TestContext t)
    {
        t.Equal("2,3,5,7,11,13,17,19,23,29", string.Join(",", Primes().Take(10)));
        t.Equal(1060, Primes().TakeWhile(p => p < 100).Sum());
    }

    private static void RangesAndIndices(TestContext t)
    {
        int[] data = [0, 1, 2, 3, 4, 5];
        t.Equal(5, data[^1]);
        t.Equal("1,2,3", string.Join(",", data[1..4]));
        t.Equal("strix", "unistrix"[3..]);
        t.Equal("OS", "StrixOS"[^2..]);
    }

    private static void NullableValueTypesAndOperators(TestContext t)
    {
        int? none = null;
        int? some = 4;
        t.Equal(-1, none ?? -1);
        t.Equal(4, some ?? -1);
        t.False((none + 1).HasValue, "lifted + on null");
        string? text = null;
        t.Equal(0, text?.Length ?? 0);
        text ??= "set";
        t.Equal("set", text);
    }

    private interface IGreeter
    {
        string Name { get; }
        string Greet() => "hello " + Name;
    }

    private sealed class Greeter : IGreeter
    {
        public string Name => "strix";
    }

    private static void DefaultInterfaceMethods(TestContext t)
    {
        IGreeter greeter = new Greeter();
        t.Equal("hello strix", greeter.Greet());
    }

    private interface IHasZero<TSelf> where TSelf : IHasZero<TSelf>
    {
        static abstract TSelf Zero { get; }
    }

    private readonly record struct Meters(int Value) : IHasZero<Meters>
    {
        public static Meters Zero => new(0);
    }

    private static T ZeroOf<T>() where T : IHasZero<T> => T.Zero;

    private static void StaticAbstractInterfaceMembers(TestContext t) => t.Equal(0, ZeroOf<Meters>().Value);

    private static T SumAll<T>(IEnumerable<T> values) where T : INumber<T>
    {
        T total = T.Zero;
        foreach (T v in values)
            total += v;
        return total;
    }

    private static void GenericMath(TestContext t)
    {
        t.Equal(10, SumAll(new[] { 1, 2, 3, 4 }));
        t.Equal(7.5, SumAll(new[] { 2.5, 5.0 }));
        t.Equal(6L, SumAll(new List<long> { 1, 2, 3 }));
        t.Equal(3, int.Max(2, 3));
    }

    private readonly record struct Point(int X, int Y);

    private static void RecordStructsAndWith(TestContext t)
    {
        var p = new Point(1, 2);
        var q = p with { X = 5 };
        t.Equal("Point { X = 5, Y = 2 }", q.ToString());
        t.True(p == new Point(1, 2), "record struct equality");
        t.False(p.Equals(q), "with changed a field");
    }

    private static void StringOperations(TestContext t)
    {
        string s = "  StrixOS, a C# unikernel  ";
        t.Equal("StrixOS, a C# unikernel", s.Trim());
        t.Equal(4, s.Trim().Split(' ').Length);
        t.Equal("strixos, a c# unikernel", s.Trim().ToLowerInvariant());
        t.Equal(9, s.IndexOf(',', StringComparison.Ordinal));
        t.True(s.Contains("unikernel", StringComparison.Ordinal), "Contains");
        t.Equal("a-b-c", string.Join('-', "a,b,c".Split(',')));
        t.Equal("xxab", "ab".PadLeft(4, 'x'));
        t.Equal("cba", new string("abc".Reverse().ToArray()));
        t.Equal(0, string.Compare("abc", "ABC", StringComparison.OrdinalIgnoreCase));
        t.Equal("héllo wörld", "héllo" + " " + "wörld");
    }

    private static void StringBuilderAndFormatting(TestContext t)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 5; i++)
            sb.Append(i).Append(';');
        sb.Insert(0, "[").Append(']');
        t.Equal("[0;1;2;3;4;]", sb.ToString());
        t.Equal("  42|3.14|0x00FF|1,234,567", $"{42,4}|{3.14159:F2}|0x{255:X4}|{1234567:N0}");
        t.Equal("007", 7.ToString("D3"));
        t.Equal("1.5E+003", 1500.0.ToString("E1"));
        t.Equal("12.50 %", 0.125.ToString("P2"));
    }

    private static void NumberParsingAndFormatting(TestContext t)
    {
        t.Equal(-123, int.Parse("-123"));
        t.True(double.TryParse("6.02e23", out double avogadro) && avogadro == 6.02e23, "double.TryParse");
        t.False(int.TryParse("12x", out _), "bad int");
        t.Equal(255, Convert.ToInt32("ff", 16));
        t.Equal("11111111", Convert.ToString(255, 2));
        t.Equal("0.1", 0.1.ToString());
        t.Equal("10000000000000000", 1e16.ToString());
        t.Equal("1.2345678901234568E+17", 123456789012345678.0.ToString());
        t.Equal(0.30000000000000004, 0.1 + 0.2);
        t.Equal("3.4028235E+38", float.MaxValue.ToString());
    }

    private static void DecimalArithmetic(TestContext t)
    {
        decimal price = 19.99m;
        t.Equal(59.97m, price * 3);
        t.Equal(0.3m, 0.1m + 0.2m);
        t.Equal(3.333m, Math.Round(10m / 3m, 3));
        t.Equal("1234.5600", 1234.56m.ToString("F4"));
    }

    private static void BigIntegers(TestContext t)
    {
        BigInteger factorial = 1;
        for (int i = 2; i <= 30; i++)
            factorial *= i;
        t.Equal("265252859812191058636308480000000", factorial.ToString());
        t.Equal(BigInteger.Parse("1267650600228229401496703205376"), BigInteger.Pow(2, 100));
    }

    private static void Int128AndOverflowChecks(TestContext t)
    {
        Int128 big = Int128.MaxValue;
        t.Equal("170141183460469231731687303715884105727", big.ToString());
        UInt128 product = (UInt128)ulong.MaxValue * ulong.MaxValue;
        t.Equal("340282366920938463426481119284349108225", product.ToString());
        int wrapped = unchecked(int.MaxValue + 1);
        t.Equal(int.MinValue, wrapped);
        t.Equal(long.MaxValue, Math.BigMul(long.MaxValue, 1, out long low) == 0 ? low : -1);
    }

    private static void SpanAndMemoryOperations(TestContext t)
    {
        Span<int> numbers = stackalloc int[8];
        for (int i = 0; i < numbers.Length; i++)
            numbers[i] = 8 - i;
        numbers.Sort();
        t.Equal(1, numbers[0]);
        t.Equal(5, numbers.IndexOf(6));
        ReadOnlySpan<char> text = "key=value".AsSpan();
        int eq = text.IndexOf('=');
        t.Equal("value", text[(eq + 1)..].ToString());
        byte[] buffer = new byte[16];
        BitConverter.TryWriteBytes(buffer, 0x11223344);
        t.Equal(0x44, buffer[0]);
        t.True("abc"u8.SequenceEqual("abc"u8), "u8 literals compare");
        Memory<int> memory = new int[] { 1, 2, 3 };
        t.Equal(2, memory.Slice(1).Span[0]);
    }

    private static void CollectionsBeyondList(TestContext t)
    {
        var set = new HashSet<string> { "a", "b" };
        t.False(set.Add("a"), "duplicate refused");
        var queue = new Queue<int>([1, 2, 3]);
        t.Equal(1, queue.Dequeue());
        var stack = new Stack<int>([1, 2, 3]);
        t.Equal(3, stack.Pop());
        var sorted = new SortedDictionary<string, int> { ["b"] = 2, ["a"] = 1 };
        t.Equal("a", sorted.First().Key);
        var linked = new LinkedList<int>([1, 2, 3]);
        linked.AddFirst(0);
        t.Equal(0, linked.First!.Value);
        var pq = new PriorityQueue<string, int>();
        pq.Enqueue("low", 5);
        pq.Enqueue("high", 1);
        t.Equal("high", pq.Dequeue());
    }

    private static void SortingAndSearching(TestContext t)
    {
        int[] values = [5, 2, 8, 1, 9, 3];
        Array.Sort(values);
        t.Equal("1,2,3,5,8,9", string.Join(",", values));
        t.Equal(3, Array.BinarySearch(values, 5));
        var words = new List<string> { "pear", "Apple", "fig" };
        words.Sort(StringComparer.OrdinalIgnoreCase);
        t.Equal("Apple,fig,pear", string.Join(",", words));
        words.Sort((x, y) => x.Length.CompareTo(y.Length));
        t.Equal("fig", words[0]);
        t.Equal(8, Array.FindIndex(values, v => v > 9) + 9);
    }

    private sealed class Button
    {
        public event Action<string>? Clicked;
        public void Click(string who) => Clicked?.Invoke(who);
    }

    private static void DelegatesAndEvents(TestContext t)
    {
        var button = new Button();
        var log = new List<string>();
        void Handler(string who) => log.Add("1:" + who);
        button.Clicked += Handler;
        button.Clicked += who => log.Add("2:" + who);
        button.Click("a");
        button.Clicked -= Handler;
        button.Click("b");
        t.Equal("1:a,2:a,2:b", string.Join(",", log));
        Func<int, int> twice = x => x * 2;
        Func<int, int> plusOne = x => x + 1;
        t.Equal(7, plusOne(twice(3)));
        Predicate<int> even = x => x % 2 == 0;
        t.True(even(4), "Predicate");
    }

    private readonly struct Vector2D(double x, double y)
    {
        public double X { get; } = x;
        public double Y { get; } = y;
        public static Vector2D operator +(Vector2D a, Vector2D b) => new(a.X + b.X, a.Y + b.Y);
        public static Vector2D operator *(double k, Vector2D v) => new(k * v.X, k * v.Y);
        public static explicit operator double(Vector2D v) => Math.Sqrt(v.X * v.X + v.Y * v.Y);
    }

    private static void OperatorOverloadingAndConversions(TestContext t)
    {
        Vector2D v = 2 * (new Vector2D(1, 1) + new Vector2D(0.5, 1));
        t.Equal(3.0, v.X);
        t.Equal(4.0, v.Y);
        t.Equal(5.0, (double)v);
        t.Equal(3, (int)3.99);
        t.Equal(-4, (int)Math.Floor(-3.5));
        t.Equal(97, (int)'a');
    }

    private struct Counter
    {
        public int Value;
    }

    private static ref int Largest(int[] values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best])
                best = i;
        return ref values[best];
    }

    private static void Bump(ref Counter counter) => counter.Value++;

    private static void StructsAndRefReturns(TestContext t)
    {
        int[] values = [3, 9, 4];
        Largest(values) = 0;
        t.Equal("3,0,4", string.Join(",", values));
        var counter = new Counter();
        Bump(ref counter);
        Bump(ref counter);
        t.Equal(2, counter.Value);
        Counter copy = counter;
        copy.Value = 10;
        t.Equal(2, counter.Value);
    }

    private abstract class Animal
    {
        public abstract string Sound();
        public virtual string Describe() => GetType().Name + " says " + Sound();
    }

    private sealed class Dog : Animal
    {
        public override string Sound() => "woof";
    }

    private class Cat : Animal
    {
        public override string Sound() => "meow";
        public override string Describe() => "the cat: " + base.Describe();
    }

    private static void InheritanceAndVirtualCalls(TestContext t)
    {
        Animal[] animals = [new Dog(), new Cat()];
        t.Equal("Dog says woof|the cat: Cat says meow", string.Join("|", animals.Select(a => a.Describe())));
        t.True(animals[1] is Cat && animals[0] is not Cat, "type patterns");
        t.Equal(1, animals.OfType<Dog>().Count());
    }

    private sealed class Key(int id) : IEquatable<Key>
    {
        public int Id { get; } = id;
        public bool Equals(Key? other) => other is not null && other.Id == Id;
        public override bool Equals(object? obj) => Equals(obj as Key);
        public override int GetHashCode() => Id.GetHashCode();
    }

    private static void EqualityAndHashing(TestContext t)
    {
        var map = new Dictionary<Key, string> { [new Key(1)] = "one" };
        t.Equal("one", map[new Key(1)]);
        t.Equal(HashCode.Combine(1, "a"), HashCode.Combine(1, "a"));
        t.True(EqualityComparer<string>.Default.Equals("a", "a"), "default comparer");
        t.True(ReferenceEquals(string.Empty, ""), "interned empty string");
    }

    private static void TextEncodings(TestContext t)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes("héllo €");
        t.Equal(10, utf8.Length);
        t.Equal("héllo €", Encoding.UTF8.GetString(utf8));
        t.Equal("aGVsbG8=", Convert.ToBase64String("hello"u8));
        t.Equal("68656C6C6F", Convert.ToHexString("hello"u8));
        t.Equal(2, Encoding.Unicode.GetByteCount("a"));
    }

    private static int s_lazyBuilds;

    private static void LazyAndCompareExchange(TestContext t)
    {
        var lazy = new Lazy<string>(() => { s_lazyBuilds++; return "built"; });
        t.False(lazy.IsValueCreated, "not yet built");
        t.Equal("built", lazy.Value);
        t.Equal("built", lazy.Value);
        t.Equal(1, s_lazyBuilds);
        int slot = 5;
        t.Equal(5, System.Threading.Interlocked.CompareExchange(ref slot, 9, 5));
        t.Equal(9, slot);
    }

    private static void BitOperations(TestContext t)
    {
        t.Equal(3, System.Numerics.BitOperations.TrailingZeroCount(8));
        t.Equal(4, System.Numerics.BitOperations.PopCount(0b1011_0001u));
        t.Equal(63, System.Numerics.BitOperations.Log2(ulong.MaxValue));
        t.Equal(0x80u, System.Numerics.BitOperations.RotateLeft(1u, 7));
        t.Equal(16u, System.Numerics.BitOperations.RoundUpToPowerOf2(9u));
        t.Equal(0x12345678u, System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(0x78563412u));
    }
}
