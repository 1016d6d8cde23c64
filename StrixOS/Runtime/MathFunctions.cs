using System;
using System.Runtime;

namespace StrixOS.Runtime;

/// <summary>
/// The C math library functions compiled CoreLib calls (there is no libm). Baseline x86-64 has no
/// SSE4.1 rounding instruction, so rounding goes through a truncating conversion.
/// </summary>
internal static class MathFunctions
{
    private const double TwoPow52 = 4503599627370496.0; // at and above this every double is an integer

    [RuntimeExport("ceil")]
    private static double Ceiling(double x)
    {
        if (!(Math.Abs(x) < TwoPow52))
            return x;                                   // NaN, infinity or already integral
        double truncated = (long)x;
        if (truncated < x)
            return truncated + 1.0;
        return truncated == 0 && x < 0 ? -0.0 : truncated;
    }

    [RuntimeExport("floor")]
    private static double Floor(double x)
    {
        if (!(Math.Abs(x) < TwoPow52))
            return x;
        double truncated = (long)x;
        if (truncated > x)
            return truncated - 1.0;
        return truncated == 0 && x < 0 ? -0.0 : truncated;
    }
}
