using System;
using System.Collections.Generic;
using System.Linq;
using StrixOS.Testing;

namespace StrixOS.KernelTests;

/// <summary>Generic virtual methods, generic interface methods and LINQ: the shapes that need runtime generic lookups.</summary>
public static unsafe class GenericsTests
{
    public static void Register(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("Generics");
        suite.Add(nameof(GenericVirtualMethodsDispatchToOverrides), &GenericVirtualMethodsDispatchToOverrides);
        suite.Add(nameof(GenericInterfaceMethodsDispatch), &GenericInterfaceMethodsDispatch);
        suite.Add(nameof(LinqWhereSelectToList), &LinqWhereSelectToList);
        suite.Add(nameof(LinqGroupBy), &LinqGroupBy);
        suite.Add(nameof(LinqOrderByThenBy), &LinqOrderByThenBy);
        suite.Add(nameof(SharedGenericCodeOverReferenceTypes), &SharedGenericCodeOverReferenceTypes);
    }

    private class Formatter
    {
        public virtual string Describe<T>(T value) => "base " + value;
    }

    private sealed class LoudFormatter : Formatter
    {
        public override string Describe<T>(T value) => "loud " + value + " " + typeof(T).IsValueType;
    }

    private interface IConverter
    {
        TOut Convert<TIn, TOut>(TIn value, Func<TIn, TOut> how);
    }

    private sealed class CountingConverter : IConverter
    {
        public int Calls;
        public TOut Convert<TIn, TOut>(TIn value, Func<TIn, TOut> how)
        {
            Calls++;
            return how(value);
        }
    }

    private static void GenericVirtualMethodsDispatchToOverrides(TestContext t)
    {
        Formatter[] formatters = [new Formatter(), new LoudFormatter()];
        t.Equal("base 7", formatters[0].Describe(7));
        t.Equal("loud 7 True", formatters[1].Describe(7));
        t.Equal("loud x False", formatters[1].Describe("x"));
        t.Equal("base 2.5", formatters[0].Describe(2.5));
    }

    private static void GenericInterfaceMethodsDispatch(TestContext t)
    {
        var converter = new CountingConverter();
        IConverter face = converter;
        t.Equal("42", face.Convert(42, x => x.ToString()));
        t.Equal(3, face.Convert("abc", s => s.Length));
        t.Equal(2, converter.Calls);
    }

    private static void LinqWhereSelectToList(TestContext t)
    {
        List<int> squares = Enumerable.Range(1, 10).Where(x => x % 2 == 0).Select(x => x * x).ToList();
        t.Equal("4,16,36,64,100", string.Join(",", squares));
        List<string> names = new[] { "ada", "bob", "cy" }.Where(s => s.Length == 3).Select(s => s.ToUpperInvariant()).ToList();
        t.Equal("ADA,BOB", string.Join(",", names));
        t.Equal(30, squares.Where(x => x < 50).Sum() - 26);
    }

    private static void LinqGroupBy(TestContext t)
    {
        var groups = Enumerable.Range(1, 9).GroupBy(x => x % 3).OrderBy(g => g.Key).Select(g => $"{g.Key}:{g.Sum()}").ToArray();
        t.Equal("0:18,1:12,2:15", string.Join(",", groups));
        var byLength = new[] { "a", "bb", "cc", "d" }.GroupBy(s => s.Length).ToDictionary(g => g.Key, g => g.Count());
        t.Equal(2, byLength[1]);
        t.Equal(2, byLength[2]);
    }

    private static void LinqOrderByThenBy(TestContext t)
    {
        var people = new[] { ("eve", 31), ("bob", 25), ("amy", 31), ("dan", 25) };
        string order = string.Join(",", people.OrderBy(p => p.Item2).ThenBy(p => p.Item1, StringComparer.Ordinal).Select(p => p.Item1));
        t.Equal("bob,dan,amy,eve", order);
        t.Equal(31, people.Max(p => p.Item2));
        t.True(people.Any(p => p.Item1 == "amy"), "Any");
        t.Equal(4, people.Distinct().Count());
    }

    private static List<T> Twice<T>(T item) where T : class => [item, item];

    private static void SharedGenericCodeOverReferenceTypes(TestContext t)
    {
        List<string> strings = Twice("s");
        List<object> objects = Twice<object>(strings);
        t.Equal(2, strings.Count);
        t.True(ReferenceEquals(objects[0], strings), "shared canonical code keeps the instantiation");
        var cache = new Dictionary<Type, string> { [typeof(int)] = "int", [typeof(string)] = "string" };
        t.Equal("string", cache[typeof(string)]);
    }
}
