using System;
using StrixOS.Testing;

namespace StrixOS.KernelTests;

/// <summary>
/// The C math functions as CoreLib reaches them in the kernel (Math.*, MathF.*, DateTime arithmetic).
/// Expected values are the correctly rounded results (mpmath; glibc agrees on each); the full tables
/// run on the host (StrixOS.Tests/LibM), these check that the kernel links and runs the same code.
/// </summary>
public static unsafe class MathTests
{
    public static void Register(TestRegistry registry)
    {
        TestSuite suite = registry.AddSuite("Math");
        suite.Add(nameof(TrigonometryMatchesCorrectlyRoundedValues), &TrigonometryMatchesCorrectlyRoundedValues);
        suite.Add(nameof(ExponentialsAndLogarithmsMatch), &ExponentialsAndLogarithmsMatch);
        suite.Add(nameof(SpecialValuesFollowC99), &SpecialValuesFollowC99);
        suite.Add(nameof(FloatVariantsRoundOnce), &FloatVariantsRoundOnce);
        suite.Add(nameof(RemaindersAndRoundingAreExact), &RemaindersAndRoundingAreExact);
    }

    private static bool Bits(TestContext t, double expected, double actual, string what) =>
        t.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(actual), what);

    private static void TrigonometryMatchesCorrectlyRoundedValues(TestContext t)
    {
        Bits(t, 0.8414709848078965, Math.Sin(1.0), "sin(1)");
        Bits(t, 0.523214785395139, Math.Cos(1e22), "cos(1e22)");
        Bits(t, -0.8178819121159085, Math.Sin(1e300), "sin(1e300)");
        Bits(t, 0.5463024898437905, Math.Tan(0.5), "tan(0.5)");
        Bits(t, 0.3046926540153975, Math.Asin(0.3), "asin(0.3)");
        Bits(t, 2.3461938234056494, Math.Acos(-0.7), "acos(-0.7)");
        Bits(t, 1.2490457723982544, Math.Atan(3.0), "atan(3)");
        Bits(t, 2.677945044588987, Math.Atan2(1.0, -2.0), "atan2(1, -2)");
    }

    private static void ExponentialsAndLogarithmsMatch(TestContext t)
    {
        Bits(t, 2.718281828459045, Math.Exp(1.0), "exp(1)");
        Bits(t, 2.302585092994046, Math.Log(10.0), "log(10)");
        Bits(t, 0.3010299956639812, Math.Log10(2.0), "log10(2)");
        Bits(t, 3.321928094887362, Math.Log2(10.0), "log2(10)");
        Bits(t, 1.4142135623730951, Math.Pow(2.0, 0.5), "pow(2, 0.5)");
        Bits(t, 2.7181459268249255, Math.Pow(1.0001, 10000.0), "pow(1.0001, 10000)");
        Bits(t, 3.6268604078470186, Math.Sinh(2.0), "sinh(2)");
        Bits(t, 3.7621956910836314, Math.Cosh(2.0), "cosh(2)");
        Bits(t, 0.46211715726000974, Math.Tanh(0.5), "tanh(0.5)");
        Bits(t, 2.154434690031884, Math.Cbrt(10.0), "cbrt(10)");
        Bits(t, 3.0, Math.Sqrt(9.0), "sqrt(9)");
    }

    private static void SpecialValuesFollowC99(TestContext t)
    {
        t.True(double.IsNaN(Math.Sin(double.PositiveInfinity)), "sin(inf) is NaN");
        t.True(double.IsNaN(Math.Log(-1.0)), "log(-1) is NaN");
        Bits(t, double.NegativeInfinity, Math.Log(0.0), "log(0)");
        Bits(t, 1.0, Math.Pow(double.NaN, 0.0), "pow(NaN, 0)");
        Bits(t, -0.0, Math.Pow(-0.0, 3.0), "pow(-0, 3)");
        Bits(t, double.PositiveInfinity, Math.Pow(-0.0, -2.0), "pow(-0, -2)");
        t.True(double.IsNaN(Math.Pow(-8.0, 1.0 / 3)), "pow(-8, 1/3) is NaN");
        Bits(t, -2.0, Math.Cbrt(-8.0), "cbrt(-8)");
        Bits(t, double.PositiveInfinity, Math.Exp(710.0), "exp(710)");
        Bits(t, 0.0, Math.Exp(-746.0), "exp(-746)");
        Bits(t, 5e-324, Math.Exp(-744.44007192138122), "exp to the smallest subnormal");
        Bits(t, -0.0, Math.Atan2(-0.0, 1.0), "atan2(-0, 1)");
        Bits(t, Math.PI, Math.Atan2(0.0, -0.0), "atan2(0, -0)");
    }

    private static void FloatVariantsRoundOnce(TestContext t)
    {
        t.Equal(BitConverter.SingleToInt32Bits(0.84147096f), BitConverter.SingleToInt32Bits(MathF.Sin(1f)), "sinf(1)");
        t.Equal(BitConverter.SingleToInt32Bits(1.4142135f), BitConverter.SingleToInt32Bits(MathF.Pow(2f, 0.5f)), "powf(2, 0.5)");
        t.Equal(BitConverter.SingleToInt32Bits(2.7182817f), BitConverter.SingleToInt32Bits(MathF.Exp(1f)), "expf(1)");
        t.Equal(BitConverter.SingleToInt32Bits(1.5f), BitConverter.SingleToInt32Bits(MathF.IEEERemainder(5.5f, 2f) + 2f), "remainder");
    }

    private static void RemaindersAndRoundingAreExact(TestContext t)
    {
        Bits(t, 1.5, 5.5 % 2.0, "fmod(5.5, 2)");
        Bits(t, -0.5, -5.5 % 1.0, "fmod(-5.5, 1)");
        Bits(t, 3.0, Math.Truncate(3.75), "trunc(3.75)");
        Bits(t, -3.0, Math.Truncate(-3.75), "trunc(-3.75)");
        var start = new DateTime(2026, 1, 1);
        t.Equal(new DateTime(2026, 1, 2, 12, 0, 0).Ticks, start.AddDays(1.5).Ticks, "AddDays(1.5)");
        Bits(t, 4.0, Math.Round(3.5), "round(3.5)");
        Bits(t, 2.0, Math.Round(2.5), "round(2.5) to even");
    }
}
