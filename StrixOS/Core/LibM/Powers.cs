using System;
using static StrixOS.Runtime.LibM.DoubleBits;

namespace StrixOS.Runtime.LibM;

/// <summary>pow, cbrt and sqrt (sqrt is the SSE2 instruction, correctly rounded).</summary>
public static class Powers
{
    public static double Sqrt(double x) => Math.Sqrt(x);      // an intrinsic: sqrtsd, never a call back into libm

    /// <summary>Whether y is an integer, and if so whether it is odd.</summary>
    private static bool IsInteger(double y, out bool odd)
    {
        odd = false;
        if (Remainders.Modf(y, out double integral) != 0)
            return false;
        double ay = Math.Abs(integral);
        odd = ay < 9007199254740992.0 && ((long)ay & 1) == 1;  // above 2^53 every double is even
        return true;
    }

    public static double Pow(double x, double y)
    {
        if (y == 0 || x == 1.0)
            return 1.0;                                         // even for NaN, as C99 says
        if (double.IsNaN(x) || double.IsNaN(y))
            return double.NaN;
        double ax = Math.Abs(x);
        if (double.IsInfinity(y))
        {
            if (ax == 1.0)
                return 1.0;
            return (ax > 1.0) == (y > 0) ? double.PositiveInfinity : 0.0;
        }
        bool yInteger = IsInteger(y, out bool yOdd);
        if (x == 0 || double.IsInfinity(x))
        {
            bool large = (x == 0) == (y < 0);                   // 0^negative and inf^positive are infinite
            double magnitude = large ? double.PositiveInfinity : 0.0;
            return yOdd && IsNegative(x) ? -magnitude : magnitude;
        }
        if (x < 0 && !yInteger)
            return double.NaN;
        bool negate = x < 0 && yOdd;

        Logarithms.LogDoubleDouble(ax, out double logHigh, out double logLow);
        double z = TwoProduct(y, logHigh, out double zError);
        double zLow = zError + y * logLow;
        double result;
        if (z > Exponentials.OverflowThreshold + 1)
            result = double.PositiveInfinity;
        else if (z < Exponentials.UnderflowThreshold - 1)
            result = 0.0;
        else
        {
            double zHigh = z + zLow;
            zLow -= zHigh - z;
            result = zHigh > Exponentials.OverflowThreshold ? double.PositiveInfinity
                   : zHigh < Exponentials.UnderflowThreshold ? 0.0
                   : Exponentials.ExpDoubleDouble(zHigh, zLow);
        }
        return negate ? -result : result;
    }

    public static double Cbrt(double x)
    {
        if (x == 0 || double.IsNaN(x) || double.IsInfinity(x))
            return x;
        double ax = Math.Abs(x);
        int scale = 0;
        if (BiasedExponent(ax) == 0)
        {
            ax *= 18014398509481984.0;                          // 2^54 (cube root: 2^18)
            scale = -18;
        }
        // First guess from the exponent: divide it by 3, then Newton's iteration for y^3 = ax.
        int exponent = BiasedExponent(ax) - Bias;
        int third = exponent >= 0 ? exponent / 3 : -((-exponent + 2) / 3);
        double m = ScaleB(ax, -3 * third);                      // in [1, 8)
        double y = 1.0 + (m - 1.0) * 0.2;                       // rough cube root of [1, 8)
        for (int i = 0; i < 6; i++)
            y -= (y * y * y - m) / (3.0 * y * y);
        // Last correction with the exact residual m - y^3.
        double square = TwoProduct(y, y, out double squareError);
        double cube = TwoProduct(square, y, out double cubeError);
        double residual = ((m - cube) - cubeError) - squareError * y;
        y += residual / (3.0 * square);
        return CopySign(ScaleB(y, third + scale), x);
    }
}
