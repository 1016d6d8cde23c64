namespace StrixOS.Runtime.LibM;

/// <summary>modf and fmod: exact operations on the bits, so their results are exact (as in any libm).</summary>
public static class Remainders
{
    /// <summary>Splits x into integral and fractional parts, both with x's sign.</summary>
    public static double Modf(double x, out double integral)
    {
        int exponent = DoubleBits.BiasedExponent(x) - DoubleBits.Bias;
        if (exponent >= 52)
        {
            integral = x;                                       // integral already; also infinities and NaN
            return double.IsNaN(x) ? x : DoubleBits.CopySign(0.0, x);
        }
        if (exponent < 0)
        {
            integral = DoubleBits.CopySign(0.0, x);
            return x;
        }
        ulong fraction = DoubleBits.MantissaMask >> exponent;
        integral = DoubleBits.FromBits(DoubleBits.Bits(x) & ~fraction);
        double rest = x - integral;                             // exact: both share the exponent range
        return rest == 0 ? DoubleBits.CopySign(0.0, x) : rest;
    }

    /// <summary>x - n*y with n = trunc(x/y), computed exactly by long division on the significands.</summary>
    public static double Fmod(double x, double y)
    {
        if (double.IsNaN(x) || double.IsNaN(y) || double.IsInfinity(x) || y == 0)
            return double.NaN;
        if (double.IsInfinity(y) || x == 0)
            return x;
        ulong xBits = DoubleBits.Bits(x) & ~DoubleBits.SignMask, yBits = DoubleBits.Bits(y) & ~DoubleBits.SignMask;
        if (xBits < yBits)
            return x;
        if (xBits == yBits)
            return DoubleBits.CopySign(0.0, x);

        Unpack(xBits, out ulong xMantissa, out int xExponent);
        Unpack(yBits, out ulong yMantissa, out int yExponent);
        for (; xExponent > yExponent; xExponent--)
        {
            if (xMantissa >= yMantissa)
                xMantissa -= yMantissa;
            if (xMantissa == 0)
                return DoubleBits.CopySign(0.0, x);
            xMantissa <<= 1;
        }
        if (xMantissa >= yMantissa)
            xMantissa -= yMantissa;
        if (xMantissa == 0)
            return DoubleBits.CopySign(0.0, x);

        // Renormalise: the remainder is below y, so it is representable exactly.
        while (xMantissa < (1UL << 52))
        {
            xMantissa <<= 1;
            yExponent--;
        }
        ulong bits;
        if (yExponent >= 1)
            bits = ((ulong)yExponent << 52) | (xMantissa & DoubleBits.MantissaMask);
        else
            bits = xMantissa >> (1 - yExponent);               // subnormal result, still exact
        return DoubleBits.FromBits(bits | (DoubleBits.Bits(x) & DoubleBits.SignMask));
    }

    /// <summary>Significand with its leading 1 at bit 52, and the matching biased exponent (subnormals normalised).</summary>
    private static void Unpack(ulong bits, out ulong mantissa, out int exponent)
    {
        exponent = (int)(bits >> 52);
        mantissa = bits & DoubleBits.MantissaMask;
        if (exponent == 0)
        {
            exponent = 1;
            while (mantissa < (1UL << 52))
            {
                mantissa <<= 1;
                exponent--;
            }
        }
        else
        {
            mantissa |= 1UL << 52;
        }
    }
}
