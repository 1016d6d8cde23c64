using System.Collections.Generic;
using StrixOS.Testing;

namespace StrixOS.KernelTests;

/// <summary>The runtime under CoreLib: allocation, generics, interface dispatch, formatting, statics.</summary>
public static unsafe class RuntimeTests
{
    public static void Register(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("Runtime");
        suite.Add(nameof(ListAndDictionaryWork), &ListAndDictionaryWork);
        suite.Add(nameof(InterfaceCallsDispatchToEachImplementation), &InterfaceCallsDispatchToEachImplementation);
        suite.Add(nameof(StringInterpolationFormatsNumbers), &StringInterpolationFormatsNumbers);
        suite.Add(nameof(StaticConstructorsRunOnce), &StaticConstructorsRunOnce);
        suite.Add(nameof(ArraysAreZeroedAndBoundsChecked), &ArraysAreZeroedAndBoundsChecked);
    }

    private static void ListAndDictionaryWork(TestContext t)
    {
        var list = new List<int>();
        for (int i = 0; i < 1000; i++)
            list.Add(i * 3);
        t.Equal(1000, list.Count);
        t.Equal(2997, list[999]);
        var map = new Dictionary<string, int>();
        for (int i = 0; i < 200; i++)
            map["key" + i] = i;
        t.Equal(200, map.Count);
        t.True(map.TryGetValue("key150", out int value));
        t.Equal(150, value);
        t.False(map.ContainsKey("key200"));
    }

    private interface IShape { ulong Area(); }
    private sealed class Square(ulong side) : IShape { public ulong Area() => side * side; }
    private sealed class Rectangle(ulong w, ulong h) : IShape { public ulong Area() => w * h; }

    private static void InterfaceCallsDispatchToEachImplementation(TestContext t)
    {
        IShape[] shapes = [new Square(3), new Rectangle(2, 5), new Square(4)];
        ulong total = 0;
        foreach (IShape shape in shapes)
            total += shape.Area();
        t.Equal(35ul, total);
        IEnumerable<int> sequence = new List<int> { 1, 2, 3 };
        int sum = 0;
        foreach (int x in sequence)
            sum += x;
        t.Equal(6, sum);
    }

    private static void StringInterpolationFormatsNumbers(TestContext t)
    {
        ulong address = 0xFFFF_8000_0010_0000;
        t.Equal("0xffff800000100000", $"0x{address:x16}");
        t.Equal("-42 255 FF 3.5", $"{-42} {255} {255:X} {3.5}");
        t.Equal("strix", string.Concat("st", "rix"));
    }

    private static class Counter
    {
        public static int Constructed;
        public static readonly int Value = Construct();
        private static int Construct() => ++Constructed * 7;
    }

    private static void StaticConstructorsRunOnce(TestContext t)
    {
        t.Equal(7, Counter.Value);
        t.Equal(7, Counter.Value);
        t.Equal(1, Counter.Constructed);
    }

    private static void ArraysAreZeroedAndBoundsChecked(TestContext t)
    {
        var data = new ulong[4096];
        ulong sum = 0;
        foreach (ulong v in data)
            sum += v;
        t.Equal(0ul, sum);
        data[4095] = 5;
        t.Equal(5ul, data[^1]);
    }
}
