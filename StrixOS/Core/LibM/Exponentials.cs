using System;
using static StrixOS.Runtime.LibM.DoubleBits;

namespace StrixOS.Runtime.LibM;

/// <summary>
/// exp, expm1 and the hyperbolic functions. exp(x) = 2^k * exp(r) with r = x - k*ln2 reduced in two
/// parts (ln2's high part has 32 bits, so k*high is exact) and exp(r) from its Taylor series, summed
/// so that the leading 1 + r is exact.
/// </summary>
public static class Exponentials
{
    private const double Ln2Hi = 0.6931471803691238, Ln2Lo = 1.9082149292705877e-10;     // ln2 = Hi + Lo; Hi has 32 bits
    private const double Ln2 = 0.6931471805599453, Ln2Tail = 2.3190468138462996e-17;    // ln2 as a double-double
    private const double InvLn2 = 1.4426950408889634;
    public const double OverflowThreshold = 709.782712893384;      // above: exp(x) > largest double
    public const double UnderflowThreshold = -745.1332191019412;   // below: exp(x) < half the smallest subnormal
    private const double Tiny = 5.551115123125783e-17;             // 2^-54: exp(x) rounds to 1 + x

    public static double Exp(double x)
    {
        if (double.IsNaN(x))
            return x;
        if (x > OverflowThreshold)
            return double.PositiveInfinity;
        if (x < UnderflowThreshold)
            return 0.0;
        return ExpDoubleDouble(x, 0.0);
    }

    /// <summary>exp(hi + lo) for a double-double argument, |lo| at most an ulp of hi (pow's y*log(x)).</summary>
    public static double ExpDoubleDouble(double hi, double lo)
    {
        if (Math.Abs(hi) < Tiny)
            return 1.0 + hi;
        int k = Reduce(hi, lo, out double r, out double rLow);
        double tail = Tail(r);                                  // exp(r) - 1 - r
        double sum = TwoSum(1.0, r, out double error);
        double y = sum + (error + (tail + rLow * (1.0 + r + tail)));   // exp(r + rLow) = exp(r) * (1 + rLow)
        return ScaleB(y, k);
    }

    /// <summary>expm1(x) = exp(x) - 1, accurate near 0 (sinh, tanh and cosh use it).</summary>
    public static double ExpM1(double x) => ExpM1DoubleDouble(x, out double low) + low;

    /// <summary>expm1(x) as high + low, so that tanh can divide it without losing the last bit.</summary>
    public static double ExpM1DoubleDouble(double x, out double low)
    {
        low = 0;
        if (double.IsNaN(x))
            return x;
        if (x > OverflowThreshold)
            return double.PositiveInfinity;
        if (x < -38.0)
            return -1.0;                                        // exp(x) < 2^-54
        if (Math.Abs(x) < Tiny)
            return x;
        int k = Reduce(x, 0.0, out double r, out double rLow);
        double tail = Tail(r) + rLow * (1.0 + r);
        double high;
        if (k == 0)
        {
            high = r + tail;
            low = tail - (high - r);
            return high;
        }
        if (k > 56)
            return ScaleB(1.0 + (r + tail), k);
        // 2^k * (1 + r + tail) - 1 = (2^k - 1) + 2^k*r + 2^k*tail; 2^k - 1 and 2^k*r are exact here.
        double scale = ScaleB(1.0, k);
        double sum = TwoSum(scale - 1.0, scale * r, out double error);
        double rest = error + scale * tail;
        high = sum + rest;
        low = rest - (high - sum);
        return high;
    }

    /// <summary>x = k*ln2 + r (+ rLow), |r| at most about ln2/2.</summary>
    private static int Reduce(double hi, double lo, out double r, out double rLow)
    {
        double kd = hi * InvLn2;
        int k = (int)(kd < 0 ? kd - 0.5 : kd + 0.5);
        double high = hi - k * Ln2Hi;                           // exact
        double low = k * Ln2Lo;
        r = high - low;
        rLow = ((high - r) - low) + lo;
        return k;
    }

    /// <summary>exp(r) - 1 - r from the Taylor series, |r| at most 0.35: terms to r^15 (error below 2^-70).</summary>
    private static double Tail(double r) =>
        r * r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (1.0 / 720 + r * (1.0 / 5040 + r * (1.0 / 40320
        + r * (1.0 / 362880 + r * (1.0 / 3628800 + r * (1.0 / 39916800 + r * (1.0 / 479001600 + r * (1.0 / 6227020800
        + r * (1.0 / 87178291200 + r * (1.0 / 1307674368000))))))))))))));

    /// <summary>exp(|x|)/2 as exp(|x| - ln2), so that it does not overflow before the result does.</summary>
    private static double HalfExp(double ax)
    {
        double hi = TwoSum(ax, -Ln2, out double error);
        if (hi > OverflowThreshold)
            return double.PositiveInfinity;
        return ExpDoubleDouble(hi, error - Ln2Tail);
    }

    public static double Sinh(double x)
    {
        double ax = Math.Abs(x);
        if (double.IsNaN(x) || double.IsInfinity(x) || ax < 3.725290298461914e-9)   // 2^-28: sinh(x) rounds to x
            return x;
        double result;
        if (ax < 22.0)
        {
            // sinh = (t + t/(t+1)) / 2 with t = expm1(|x|), all as double-doubles.
            double t = ExpM1DoubleDouble(ax, out double tLow);
            double denominator = TwoSum(t, 1.0, out double denominatorLow);
            denominatorLow += tLow;
            double u = t / denominator;
            double product = TwoProduct(u, denominator, out double productError);
            double uLow = (((t - product) - productError) + tLow - u * denominatorLow) / denominator;
            double sum = TwoSum(t, u, out double sumError);
            result = 0.5 * (sum + (sumError + tLow + uLow));
        }
        else
        {
            result = HalfExp(ax);
        }
        return CopySign(result, x);
    }

    public static double Cosh(double x)
    {
        double ax = Math.Abs(x);
        if (double.IsNaN(x))
            return x;
        if (ax < 0.3465735902799726)                            // ln2/2: cosh = 1 + w^2 / (2(1+w)), w = expm1
        {
            double w = ExpM1(ax);
            return 1.0 + (w * w) / (2.0 * (1.0 + w));
        }
        if (ax < 22.0)
        {
            double t = Exp(ax);
            return 0.5 * t + 0.5 / t;
        }
        return HalfExp(ax);
    }

    public static double Tanh(double x)
    {
        double ax = Math.Abs(x);
        if (double.IsNaN(x) || ax < 3.725290298461914e-9)
            return x;
        double result;
        if (ax >= 22.0)
            result = 1.0;
        else if (ax >= 1.0)
            result = 1.0 - 2.0 / (ExpM1(2.0 * ax) + 2.0);
        else
        {
            // tanh = -t / (t + 2), t = expm1(-2|x|), divided as double-doubles.
            double t = ExpM1DoubleDouble(-2.0 * ax, out double tLow);
            double denominator = TwoSum(2.0, t, out double denominatorLow);
            denominatorLow += tLow;
            double q = -t / denominator;
            double product = TwoProduct(q, denominator, out double productError);
            result = q + ((((-t - product) - productError) - tLow - q * denominatorLow) / denominator);
        }
        return CopySign(result, x);
    }
}
