using System;

namespace StrixOS.Runtime.LibM;

/// <summary>IEEE 754 binary64 fields, and the splits the other LibM files use to keep extra precision.</summary>
internal static class DoubleBits
{
    public const ulong SignMask = 0x8000_0000_0000_0000;
    public const ulong MantissaMask = 0x000F_FFFF_FFFF_FFFF;
    public const int Bias = 1023;

    public static ulong Bits(double x) => (ulong)BitConverter.DoubleToInt64Bits(x);
    public static double FromBits(ulong bits) => BitConverter.Int64BitsToDouble((long)bits);

    /// <summary>The biased exponent field (0 for zeros and subnormals, 2047 for infinities and NaN).</summary>
    public static int BiasedExponent(double x) => (int)((Bits(x) >> 52) & 0x7FF);

    public static double CopySign(double magnitude, double sign) =>
        FromBits((Bits(magnitude) & ~SignMask) | (Bits(sign) & SignMask));

    public static bool IsNegative(double x) => (Bits(x) & SignMask) != 0;

    /// <summary>x * 2^n without overflow or underflow in between (n within about ±2100).</summary>
    public static double ScaleB(double x, int n)
    {
        while (n > 1023)
        {
            x *= 8.98846567431158e307;      // 2^1023
            n -= 1023;
            if (n > 1023 && double.IsInfinity(x))
                return x;
        }
        while (n < -1022)
        {
            // Scale by 2^-1022 * 2^53 and undo the 2^53 later: one rounding, at the final multiply.
            x *= 2.004168360008973e-292;    // 2^-969
            n += 969;
            if (n < -1022 && x == 0)
                return x;
        }
        return x * FromBits((ulong)(n + Bias) << 52);
    }

    /// <summary>Splits a double into a high part with 26 significant bits and the exact rest (Dekker).</summary>
    public static void Split(double a, out double high, out double low)
    {
        double t = 134217729.0 * a;         // 2^27 + 1
        high = t - (t - a);
        low = a - high;
    }

    /// <summary>a * b = product + error exactly (no FMA on baseline x86-64: Dekker's product).</summary>
    public static double TwoProduct(double a, double b, out double error)
    {
        // Splitting multiplies by 2^27 + 1: scale huge operands first so nothing overflows.
        const double Big = 6.696928794914171e+299, Down = 1.232595164407831e-32, Up = 8.112963841460668e+31;   // 2^-106, 2^106
        if (!double.IsFinite(a) || !double.IsFinite(b))
        {
            error = 0;
            return a * b;
        }
        if (Math.Abs(a) > Big || Math.Abs(b) > Big || Math.Abs(a * b) > Big)
        {
            double scaled = Math.Abs(a) >= Math.Abs(b) ? TwoProduct(a * Down, b, out error) : TwoProduct(a, b * Down, out error);
            error *= Up;
            return scaled * Up;
        }
        double product = a * b;
        Split(a, out double ah, out double al);
        Split(b, out double bh, out double bl);
        error = ((ah * bh - product) + ah * bl + al * bh) + al * bl;
        return product;
    }

    /// <summary>a + b = sum + error exactly (Knuth's two-sum, any magnitudes).</summary>
    public static double TwoSum(double a, double b, out double error)
    {
        double sum = a + b;
        double bVirtual = sum - a;
        double aVirtual = sum - bVirtual;
        error = (a - aVirtual) + (b - bVirtual);
        return sum;
    }
}
