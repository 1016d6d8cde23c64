using System;
using static StrixOS.Runtime.LibM.DoubleBits;

namespace StrixOS.Runtime.LibM;

/// <summary>
/// atan, atan2, asin, acos. atan(x) for 0 &lt;= x &lt;= 1 is atan(c) + atan(t) with c = j/8 the nearest
/// table point (atan(c) as double-doubles, computed with mpmath) and t = (x - c) / (1 + x*c), |t| &lt;= 1/16,
/// from its Taylor series; above 1, pi/2 - atan(1/x). Everything is carried as double-doubles, so asin
/// and acos can feed it x / sqrt(1 - x^2) without losing the last bit.
/// </summary>
public static class InverseTrigonometry
{
    private const double PiOver2Hi = 1.5707963267948966, PiOver2Lo = 6.123233995736766e-17;
    private const double PiHi = 3.141592653589793, PiLo = 1.2246467991473532e-16;

    // Spans over constant data, not arrays: a double[] in the image makes ILC keep double's formatting (Dragon4,
    // Grisu and their tables) for the boxed double its array type implies, in every kernel, used or not.
    private static ReadOnlySpan<double> AtanHigh =>
        [0.0, 0.12435499454676144, 0.24497866312686414, 0.35877067027057225, 0.4636476090008061,
         0.5585993153435624, 0.6435011087932844, 0.7188299996216245, 0.7853981633974483];
    private static ReadOnlySpan<double> AtanLow =>
        [0.0, -3.1253241424539383e-18, 1.0698755618734451e-17, -2.4623815582638635e-17, 2.2698777452961687e-17,
         -5.4556305485916264e-18, 1.5834785051444286e-17, -2.1478388444456983e-17, 3.061616997868383e-17];

    /// <summary>atan(x + xLow) for x &gt;= 0 (x may be infinite), as a double-double.</summary>
    private static void AtanDoubleDouble(double x, double xLow, out double high, out double low)
    {
        if (double.IsPositiveInfinity(x))
        {
            high = PiOver2Hi;
            low = PiOver2Lo;
            return;
        }
        if (x > 1.0)
        {
            // atan(x) = pi/2 - atan(1/x), with 1/x as a double-double.
            double u = 1.0 / x;
            double product = TwoProduct(u, x, out double productError);
            double uLow = (((1.0 - product) - productError) - u * xLow) / x;
            AtanUnit(u, uLow, out double h, out double l);
            high = TwoSum(PiOver2Hi, -h, out double error);
            low = error + (PiOver2Lo - l);
        }
        else
        {
            AtanUnit(x, xLow, out high, out low);
        }
        double sum = high + low;
        low -= sum - high;
        high = sum;
    }

    /// <summary>atan for 0 &lt;= x &lt;= 1 (plus its low part).</summary>
    private static void AtanUnit(double x, double xLow, out double high, out double low)
    {
        int j = (int)(x * 8.0 + 0.5);
        double c = j * 0.125;
        double difference = x - c;                              // exact (Sterbenz), or x itself when c = 0
        double numerator = difference + xLow;
        double numeratorLow = xLow - (numerator - difference);
        double xc = TwoProduct(x, c, out double xcError);
        double denominator = TwoSum(1.0, xc, out double denominatorLow);
        denominatorLow += xcError + xLow * c;
        double t = numerator / denominator;
        double product = TwoProduct(t, denominator, out double productError);
        double tLow = (((numerator - product) - productError) + numeratorLow - t * denominatorLow) / denominator;
        double z = t * t;
        // atan(t) - t = t * z * (-1/3 + z/5 - ...), |t| <= 1/16: terms to t^23.
        double series = t * z * (-1.0 / 3 + z * (1.0 / 5 + z * (-1.0 / 7 + z * (1.0 / 9 + z * (-1.0 / 11 + z * (1.0 / 13
                        + z * (-1.0 / 15 + z * (1.0 / 17 + z * (-1.0 / 19 + z * (1.0 / 21 - z / 23))))))))));
        high = TwoSum(AtanHigh[j], t, out double error);
        low = error + (AtanLow[j] + tLow * (1.0 - z) + series);
    }

    public static double Atan(double x)
    {
        if (double.IsNaN(x))
            return x;
        AtanDoubleDouble(Math.Abs(x), 0.0, out double high, out double low);
        return CopySign(high + low, x);
    }

    public static double Atan2(double y, double x)
    {
        if (double.IsNaN(x) || double.IsNaN(y))
            return double.NaN;
        bool xNegative = IsNegative(x);
        if (y == 0)
            return xNegative ? CopySign(PiHi, y) : y;           // atan2(+-0, -0 or negative) = +-pi
        if (x == 0)
            return CopySign(PiOver2Hi, y);
        double ax = Math.Abs(x), ay = Math.Abs(y);
        double high, low;
        if (double.IsInfinity(ax))
        {
            if (double.IsInfinity(ay))
            {
                high = xNegative ? 2.356194490192345 : 0.7853981633974483;   // 3pi/4, pi/4
                return CopySign(high, y);
            }
            return xNegative ? CopySign(PiHi, y) : CopySign(0.0, y);
        }
        if (double.IsInfinity(ay))
            return CopySign(PiOver2Hi, y);

        double q = ay / ax;
        if (double.IsInfinity(q))
        {
            high = PiOver2Hi;
            low = PiOver2Lo;
        }
        else if (q < 2.2250738585072014e-308)
        {
            // The quotient underflowed: atan(q) = q to the last bit.
            if (!xNegative)
                return CopySign(q, y);
            high = PiHi;
            low = PiLo;
            return CopySign(high + low, y);
        }
        else
        {
            double qLow = 0;
            if (q < 1e300 && q > 1e-290)
            {
                double product = TwoProduct(q, ax, out double productError);
                if (double.IsFinite(product))                   // q * ax may round past the largest double
                    qLow = ((ay - product) - productError) / ax;
            }
            AtanDoubleDouble(q, qLow, out high, out low);
        }
        if (xNegative)
        {
            double difference = TwoSum(PiHi, -high, out double error);
            return CopySign(difference + (error + (PiLo - low)), y);
        }
        return CopySign(high + low, y);
    }

    /// <summary>sqrt(1 - x^2) as a double-double, for 0 &lt;= x &lt;= 1.</summary>
    private static void SqrtOneMinusSquare(double x, out double high, out double low)
    {
        double w, wLow;
        if (x >= 0.5)
        {
            double oneMinus = 1.0 - x;                          // exact
            double onePlus = TwoSum(1.0, x, out double onePlusLow);
            w = TwoProduct(oneMinus, onePlus, out double productError);
            wLow = productError + oneMinus * onePlusLow;
        }
        else
        {
            double square = TwoProduct(x, x, out double squareError);
            w = TwoSum(1.0, -square, out double error);
            wLow = error - squareError;
        }
        high = Math.Sqrt(w);
        if (high == 0)
        {
            low = 0;
            return;
        }
        double s2 = TwoProduct(high, high, out double s2Error);
        low = (((w - s2) - s2Error) + wLow) / (2.0 * high);
    }

    public static double Asin(double x)
    {
        double ax = Math.Abs(x);
        if (double.IsNaN(x) || ax > 1.0)
            return double.NaN;
        if (ax < 7.450580596923828e-9)                          // 2^-27: asin(x) rounds to x
            return x;
        if (ax == 1.0)
            return CopySign(PiOver2Hi, x);
        SqrtOneMinusSquare(ax, out double s, out double sLow);
        // asin(x) = atan(x / sqrt(1 - x^2))
        double q = ax / s;
        double product = TwoProduct(q, s, out double productError);
        double qLow = (((ax - product) - productError) - q * sLow) / s;
        AtanDoubleDouble(q, qLow, out double high, out double low);
        return CopySign(high + low, x);
    }

    public static double Acos(double x)
    {
        double ax = Math.Abs(x);
        if (double.IsNaN(x) || ax > 1.0)
            return double.NaN;
        if (x == 1.0)
            return 0.0;
        if (x == -1.0)
            return PiHi;
        if (ax == 0)
            return PiOver2Hi;
        SqrtOneMinusSquare(ax, out double s, out double sLow);
        // acos(|x|) = atan(sqrt(1 - x^2) / |x|); acos(-|x|) = pi - that.
        double q = s / ax;
        double product = TwoProduct(q, ax, out double productError);
        double qLow = (((s - product) - productError) + sLow) / ax;
        AtanDoubleDouble(q, qLow, out double high, out double low);
        if (x > 0)
            return high + low;
        double difference = TwoSum(PiHi, -high, out double error);
        return difference + (error + (PiLo - low));
    }
}
