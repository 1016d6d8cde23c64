using System;
using static StrixOS.Runtime.LibM.DoubleBits;

namespace StrixOS.Runtime.LibM;

/// <summary>
/// sin, cos, tan. The argument is reduced to r in [-pi/4, pi/4] and a quadrant: by pi/2 in three parts
/// below 2^20 * pi/2 (Cody and Waite), and above that with the bits of 2/pi (Payne and Hanek), so that
/// huge arguments keep every bit. The kernels are Taylor series on a double-double r.
/// </summary>
public static class Trigonometry
{
    private const double PiOver4 = 0.7853981633974483;
    private const double PiOver2Hi = 1.5707963267948966, PiOver2Lo = 6.123233995736766e-17;
    private const double TwoOverPi = 0.6366197723675814;
    // pi/2 = P1 + P2 + P3 + P3Tail, the first three with 33 significant bits: n*Pi is exact for n < 2^20.
    private const double P1 = 1.5707963267341256, P2 = 6.077100506303966e-11, P3 = 2.0222662487111665e-21, P3Tail = 8.4784276603689e-32;
    private const double CodyWaiteLimit = 1647099.3291652855;   // 2^20 * pi/2

    // 2/pi in binary, 1536 bits after the binary point (computed with mpmath).
    private static readonly ulong[] TwoOverPiBits =
    [
        0xA2F9836E4E441529, 0xFC2757D1F534DDC0, 0xDB6295993C439041, 0xFE5163ABDEBBC561, 0xB7246E3A424DD2E0, 0x06492EEA09D1921C,
        0xFE1DEB1CB129A73E, 0xE88235F52EBB4484, 0xE99C7026B45F7E41, 0x3991D639835339F4, 0x9C845F8BBDF9283B, 0x1FF897FFDE05980F,
        0xEF2F118B5A0A6D1F, 0x6D367ECF27CB09B7, 0x4F463F669E5FEA2D, 0x7527BAC7EBE5F17B, 0x3D0739F78A5292EA, 0x6BFB5FB11F8D5D08,
        0x56033046FC7B6BAB, 0xF0CFBC209AF4361D, 0xA9E391615EE61B08, 0x6599855F14A06840, 0x8DFFD8804D732731, 0x06061556CA73A8C9,
    ];

    public static double Sin(double x)
    {
        if (double.IsNaN(x) || double.IsInfinity(x))
            return double.NaN;
        if (Math.Abs(x) < 7.450580596923828e-9)                 // 2^-27: sin(x) rounds to x
            return x;
        int n = Reduce(x, out double r, out double rLow);
        double high, low;
        if ((n & 1) == 0)
            SinKernel(r, rLow, out high, out low);
        else
            CosKernel(r, rLow, out high, out low);
        double result = high + low;
        return (n & 2) == 0 ? result : -result;
    }

    public static double Cos(double x)
    {
        if (double.IsNaN(x) || double.IsInfinity(x))
            return double.NaN;
        int n = Reduce(x, out double r, out double rLow);
        double high, low;
        if ((n & 1) == 0)
            CosKernel(r, rLow, out high, out low);
        else
            SinKernel(r, rLow, out high, out low);
        double result = high + low;
        return ((n + 1) & 2) == 0 ? result : -result;
    }

    public static double Tan(double x)
    {
        if (double.IsNaN(x) || double.IsInfinity(x))
            return double.NaN;
        if (Math.Abs(x) < 7.450580596923828e-9)
            return x;
        int n = Reduce(x, out double r, out double rLow);
        SinKernel(r, rLow, out double sinHigh, out double sinLow);
        CosKernel(r, rLow, out double cosHigh, out double cosLow);
        // Even quadrant: sin/cos; odd: -cos/sin. Divide double-doubles, keeping the quotient's rounding error.
        double numeratorHigh = sinHigh, numeratorLow = sinLow, denominatorHigh = cosHigh, denominatorLow = cosLow;
        if ((n & 1) != 0)
        {
            numeratorHigh = -cosHigh; numeratorLow = -cosLow;
            denominatorHigh = sinHigh; denominatorLow = sinLow;
        }
        double q = numeratorHigh / denominatorHigh;
        double product = TwoProduct(q, denominatorHigh, out double productError);
        double correction = (((numeratorHigh - product) - productError) + numeratorLow - q * denominatorLow) / denominatorHigh;
        return q + correction;
    }

    /// <summary>sin(r + rLow) for |r| at most pi/4, as a double-double. Taylor to r^17 (error below 2^-70).</summary>
    private static void SinKernel(double r, double rLow, out double high, out double low)
    {
        double z = r * r;
        double q = -1.0 / 6 + z * (1.0 / 120 + z * (-1.0 / 5040 + z * (1.0 / 362880 + z * (-1.0 / 39916800 + z * (1.0 / 6227020800
                   + z * (-1.0 / 1307674368000 + z * (1.0 / 355687428096000)))))));
        double tail = r * z * q + rLow * (1.0 - 0.5 * z);
        high = r + tail;
        low = tail - (high - r);
    }

    /// <summary>cos(r + rLow) for |r| at most pi/4: 1 - r^2/2 kept exact, then Taylor to r^18.</summary>
    private static void CosKernel(double r, double rLow, out double high, out double low)
    {
        double z = TwoProduct(r, r, out double zError);
        double c = 1.0 / 24 + z * (-1.0 / 720 + z * (1.0 / 40320 + z * (-1.0 / 3628800 + z * (1.0 / 479001600 + z * (-1.0 / 87178291200
                   + z * (1.0 / 20922789888000 + z * (-1.0 / 6402373705728000)))))));
        double w = TwoSum(1.0, -0.5 * z, out double wError);
        double tail = wError - 0.5 * zError + (z * z * c - r * rLow);
        high = w + tail;
        low = tail - (high - w);
    }

    /// <summary>x = n * pi/2 + (r + rLow), |r| at most about pi/4; returns n mod 4.</summary>
    public static int Reduce(double x, out double r, out double rLow)
    {
        double ax = Math.Abs(x);
        if (ax <= PiOver4)
        {
            r = x;
            rLow = 0;
            return 0;
        }
        int n;
        if (ax < CodyWaiteLimit)
        {
            double nd = x * TwoOverPi;
            n = (int)(nd < 0 ? nd - 0.5 : nd + 0.5);
            double a = x - n * P1;                              // exact
            double b = n * P2, c = n * P3, d = n * P3Tail;      // b and c exact
            double s = TwoSum(a, -b, out double e1);
            double rest = (e1 - c) - d;
            r = s + rest;
            rLow = rest - (r - s);
            return n & 3;
        }
        n = ReduceHuge(ax, out r, out rLow);
        if (x < 0)
        {
            r = -r;
            rLow = -rLow;
            n = -n;
        }
        return n & 3;
    }

    /// <summary>Payne-Hanek: (m * 2^q) * 2/pi mod 4 from the bits of 2/pi that matter, 192 at a time.</summary>
    private static int ReduceHuge(double ax, out double r, out double rLow)
    {
        ulong bits = Bits(ax);
        ulong m = (bits & MantissaMask) | (1UL << 52);
        int q = (int)(bits >> 52) - Bias - 52;                  // ax = m * 2^q, q >= -32 here
        // Bits with index i (weight 2^-i) below q-1 only add multiples of 4: start the window there.
        int first = q - 1 > 1 ? q - 1 : 1;
        ulong w0 = WindowOfTwoOverPi(first - 1), w1 = WindowOfTwoOverPi(first + 63), w2 = WindowOfTwoOverPi(first + 127);
        // V = m * (w0:w1:w2), 256 bits, little-endian words v[0..3]; the binary point is p bits up.
        ulong h2 = Math.BigMul(m, w2, out ulong v0);
        ulong h1 = Math.BigMul(m, w1, out ulong l1);
        ulong h0 = Math.BigMul(m, w0, out ulong l0);
        ulong carry = 0;
        ulong v1 = AddWithCarry(h2, l1, ref carry);
        ulong v2 = AddWithCarry(h1, l0, ref carry);
        ulong v3 = h0 + carry;
        Span<ulong> v = stackalloc ulong[4];
        v[0] = v0; v[1] = v1; v[2] = v2; v[3] = v3;
        int p = first + 191 - q;
        int quadrant = (int)(Extract(v, p) & 3);
        ulong fractionHigh = Extract(v, p - 64), fractionLow = Extract(v, p - 128);
        if ((fractionHigh >> 63) != 0)
            quadrant++;                                         // fraction >= 1/2: use fraction - 1
        long signedHigh = (long)fractionHigh;                   // two's complement view: fraction in [-1/2, 1/2)
        double fHigh = (signedHigh >> 11) * 1.1102230246251565e-16;                               // 2^-53
        double fLow = ((signedHigh & 0x7FF) + fractionLow * 5.421010862427522e-20) * 5.421010862427522e-20;  // 2^-64
        double product = TwoProduct(fHigh, PiOver2Hi, out double productError);
        double tail = productError + (fHigh * PiOver2Lo + fLow * PiOver2Hi);
        r = product + tail;
        rLow = tail - (r - product);
        return quadrant & 3;
    }

    /// <summary>a + b + carry (0 or 1); carry becomes the carry out.</summary>
    private static ulong AddWithCarry(ulong a, ulong b, ref ulong carry)
    {
        ulong partial = a + b;
        ulong carryOut = partial < a ? 1UL : 0UL;
        ulong sum = partial + carry;
        if (sum < partial)
            carryOut = 1;
        carry = carryOut;
        return sum;
    }

    /// <summary>64 bits of 2/pi starting after bit index <paramref name="start"/> (0 = the first bit after the point).</summary>
    private static ulong WindowOfTwoOverPi(int start)
    {
        int word = start >> 6, shift = start & 63;
        ulong high = TwoOverPiBits[word];
        if (shift == 0)
            return high;
        return (high << shift) | (TwoOverPiBits[word + 1] >> (64 - shift));
    }

    /// <summary>Bits [position, position + 64) of a little-endian 256-bit number (zeros beyond).</summary>
    private static ulong Extract(ReadOnlySpan<ulong> v, int position)
    {
        int word = position >> 6, shift = position & 63;
        ulong low = word < 4 ? v[word] : 0;
        if (shift == 0)
            return low;
        ulong high = word + 1 < 4 ? v[word + 1] : 0;
        return (low >> shift) | (high << (64 - shift));
    }
}
