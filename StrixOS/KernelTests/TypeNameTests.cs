using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using StrixOS.Testing;

namespace StrixOS.KernelTests;

/// <summary>Type and enum names from the metadata ILC keeps for what the program uses (no full reflection).</summary>
public static unsafe class TypeNameTests
{
    public static void Register(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("TypeNames");
        suite.Add(nameof(TypeNamesAndFullNames), &TypeNamesAndFullNames);
        suite.Add(nameof(DefaultToStringIsTheTypeName), &DefaultToStringIsTheTypeName);
        suite.Add(nameof(EnumsFormatAndParse), &EnumsFormatAndParse);
        suite.Add(nameof(FlagsEnumsFormatTheirBits), &FlagsEnumsFormatTheirBits);
        suite.Add(nameof(EnumValuesAndNames), &EnumValuesAndNames);
        suite.Add(nameof(GenericTypeNames), &GenericTypeNames);
        suite.Add(nameof(ActivatorCreatesInstances), &ActivatorCreatesInstances);
    }

    private enum Color { Red, Green = 5, Blue }

    [Flags]
    private enum Access { None = 0, Read = 1, Write = 2, Execute = 4 }

    private sealed class Widget { }

    private struct Pair
    {
        public int A;
    }

    private static void TypeNamesAndFullNames(TestContext t)
    {
        t.Equal("Widget", typeof(Widget).Name);
        t.Equal("StrixOS.KernelTests.TypeNameTests+Widget", typeof(Widget).FullName);
        t.Equal("Int32", typeof(int).Name);
        t.Equal("System.String", "x".GetType().FullName);
        t.Equal("System.Int32", typeof(int).ToString());
        t.Equal("StrixOS.KernelTests", typeof(Widget).Namespace);
    }

    private static void DefaultToStringIsTheTypeName(TestContext t)
    {
        t.Equal("StrixOS.KernelTests.TypeNameTests+Widget", new Widget().ToString());
        t.Equal("StrixOS.KernelTests.TypeNameTests+Pair", new Pair { A = 1 }.ToString());
    }

    private static void EnumsFormatAndParse(TestContext t)
    {
        t.Equal("Green", Color.Green.ToString());
        t.Equal("color Blue", $"color {Color.Blue}");
        t.Equal("7", ((Color)7).ToString());
        t.Equal((int)Color.Blue, (int)Enum.Parse<Color>("Blue"));
        t.True(Enum.TryParse("red", ignoreCase: true, out Color red) && red == Color.Red, "TryParse ignoring case");
        t.Equal("6", Color.Blue.ToString("D"));
    }

    private static void FlagsEnumsFormatTheirBits(TestContext t)
    {
        t.Equal("Read, Write", (Access.Read | Access.Write).ToString());
        t.Equal("None", Access.None.ToString());
        t.Equal((int)(Access.Read | Access.Execute), (int)Enum.Parse<Access>("Read, Execute"));
        t.True((Access.Read | Access.Write).HasFlag(Access.Write), "HasFlag");
    }

    private static void EnumValuesAndNames(TestContext t)
    {
        t.Equal("Red,Green,Blue", string.Join(",", Enum.GetNames<Color>()));
        Color[] values = Enum.GetValues<Color>();
        t.Equal(3, values.Length);
        t.Equal(6, (int)values[2]);
        t.True(Enum.IsDefined(Color.Green), "IsDefined");
        t.False(Enum.IsDefined((Color)3), "3 is not defined");
    }

    private static void GenericTypeNames(TestContext t)
    {
        t.Equal("List`1", typeof(List<int>).Name);
        t.Equal("Dictionary`2", new Dictionary<string, Widget>().GetType().Name);
        t.True(typeof(List<int>).IsGenericType, "IsGenericType");
    }

    private sealed class OnlyWithArguments(int value)
    {
        public int Value = value;
    }

    private sealed class PrivateConstructor
    {
        private PrivateConstructor() { }
    }

    // By design: `Activator.CreateInstance(Type)` for a type without a public parameterless constructor (or one ILC did not keep) | `MissingMethodException` naming the type
    private static void ActivatorCreatesInstances(TestContext t)
    {
        t.True(Activator.CreateInstance<Widget>().GetType() == typeof(Widget), "Activator.CreateInstance<T>");
        // ILC keeps the default constructor of a type it sees passed to CreateInstance(Type).
        t.True(Activator.CreateInstance(typeof(Widget)) is Widget, "Activator.CreateInstance(typeof(Widget))");
        t.Equal(0, (int)Activator.CreateInstance(typeof(int))!);
        t.Equal(0, ((Pair)Activator.CreateInstance(typeof(Pair))!).A);
        // No public parameterless constructor: MissingMethodException naming the type, never a fault.
        ExpectMissingMethod(t, typeof(OnlyWithArguments), "OnlyWithArguments");
        ExpectMissingMethod(t, typeof(PrivateConstructor), "PrivateConstructor");
        ExpectMissingMethod(t, typeof(IDisposable), null);
    }

    private static void ExpectMissingMethod(TestContext t, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] Type type, string? named)
    {
        try
        {
            object? made = Activator.CreateInstance(type);
            t.Fail($"CreateInstance({type.Name}) gave {made}");
        }
        catch (MissingMethodException e)
        {
            if (named != null)
                t.True(e.Message.Contains(named), $"CreateInstance({type.Name}): {e.Message}");
        }
    }
}
