using static StrixOS.Runtime.LibM.DoubleBits;

namespace StrixOS.Runtime.LibM;

/// <summary>
/// log, log2, log10. x = 2^k * m with m in [sqrt(1/2), sqrt(2)]; log(m) = 2 atanh(s), s = (m-1)/(m+1),
/// kept as a double-double (the leading 2s with its rounding error) so log2, log10 and pow can scale it
/// without losing the last bit.
/// </summary>
public static class Logarithms
{
    private const double Ln2Hi = 0.6931471803691238, Ln2Lo = 1.9082149292705877e-10;
    private const double InvLn2Hi = 1.4426950408889634, InvLn2Lo = 2.0355273740931033e-17;
    private const double InvLn10Hi = 0.4342944819032518, InvLn10Lo = 1.098319650216765e-17;
    private const double Sqrt2 = 1.4142135623730951;
    private const double TwoThirdsHi = 0.6666666666666666, TwoThirdsLo = 3.700743415417188e-17;

    /// <summary>NaN, negative, zero and infinity, as C's log family answers them; false for ordinary x.</summary>
    private static bool Special(double x, out double result)
    {
        if (double.IsNaN(x) || x < 0)
            result = double.NaN;
        else if (x == 0)
            result = double.NegativeInfinity;
        else if (double.IsPositiveInfinity(x))
            result = x;
        else
        {
            result = 0;
            return false;
        }
        return true;
    }

    /// <summary>log(x) = k*ln2 + (high + low) for finite positive x.</summary>
    public static int Core(double x, out double high, out double low)
    {
        int k = 0;
        if (BiasedExponent(x) == 0)
        {
            x *= 18014398509481984.0;                           // 2^54: subnormals become normal
            k = -54;
        }
        ulong bits = Bits(x);
        k += (int)(bits >> 52) - Bias;
        double m = FromBits((bits & MantissaMask) | ((ulong)Bias << 52));
        if (m > Sqrt2)
        {
            m *= 0.5;
            k++;
        }
        double f = m - 1.0;                                     // exact
        double denominatorHigh = 2.0 + f;
        double denominatorLow = (2.0 - denominatorHigh) + f;
        double s = f / denominatorHigh;
        double product = TwoProduct(s, denominatorHigh, out double productError);
        double sLow = (((f - product) - productError) - s * denominatorLow) / denominatorHigh;
        // 2 atanh(s) = 2s + (2/3)s^3 + s^5 * R(s^2); the first two terms as double-doubles, R to s^25 (z < 0.0295).
        double z = TwoProduct(s, s, out double zError);
        double cube = TwoProduct(z, s, out double cubeError);
        double cubeLow = cubeError + zError * s;
        double lead = TwoProduct(cube, TwoThirdsHi, out double leadError);
        double leadLow = leadError + (cube * TwoThirdsLo + cubeLow * TwoThirdsHi);
        double rest = cube * z * (2.0 / 5 + z * (2.0 / 7 + z * (2.0 / 9 + z * (2.0 / 11 + z * (2.0 / 13 + z * (2.0 / 15
                      + z * (2.0 / 17 + z * (2.0 / 19 + z * (2.0 / 21 + z * (2.0 / 23 + z * (2.0 / 25)))))))))));
        double hi = TwoSum(2.0 * s, lead, out double sumError);
        double lo = sumError + (leadLow + rest + 2.0 * sLow * (1.0 + z));
        high = hi + lo;
        low = lo - (high - hi);
        return k;
    }

    /// <summary>log(x) as a double-double (pow needs the bits below the last one).</summary>
    public static void LogDoubleDouble(double x, out double high, out double low)
    {
        int k = Core(x, out double h, out double l);
        high = TwoSum(k * Ln2Hi, h, out double error);
        low = error + (l + k * Ln2Lo);
        double sum = high + low;
        low -= sum - high;
        high = sum;
    }

    public static double Log(double x)
    {
        if (Special(x, out double special))
            return special;
        LogDoubleDouble(x, out double high, out double low);
        return high + low;
    }

    public static double Log2(double x)
    {
        if (Special(x, out double special))
            return special;
        int k = Core(x, out double h, out double l);
        double product = TwoProduct(h, InvLn2Hi, out double productError);
        double productLow = productError + (h * InvLn2Lo + l * InvLn2Hi);
        double sum = TwoSum(k, product, out double error);
        return sum + (error + productLow);
    }

    public static double Log10(double x)
    {
        if (Special(x, out double special))
            return special;
        LogDoubleDouble(x, out double h, out double l);
        double product = TwoProduct(h, InvLn10Hi, out double productError);
        return product + (productError + (h * InvLn10Lo + l * InvLn10Hi));
    }
}
