using System;
using System.Runtime;
using StrixOS.Runtime.LibM;

namespace StrixOS.Runtime;

/// <summary>
/// The C math library functions compiled CoreLib calls (there is no libm): Math.Sin, MathF.Pow and the
/// rest end here. The algorithms are in StrixOS/Core/LibM (plain C#, tested on the host against glibc
/// and against correctly rounded results from mpmath). Baseline x86-64 has no SSE4.1 rounding
/// instruction, so rounding goes through a truncating conversion. The float versions compute in
/// double and round once.
/// </summary>
internal static unsafe class MathFunctions
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

    [RuntimeExport("sin")] private static double Sin(double x) => Trigonometry.Sin(x);
    [RuntimeExport("sinf")] private static float SinF(float x) => (float)Trigonometry.Sin(x);
    [RuntimeExport("cos")] private static double Cos(double x) => Trigonometry.Cos(x);
    [RuntimeExport("cosf")] private static float CosF(float x) => (float)Trigonometry.Cos(x);
    [RuntimeExport("tan")] private static double Tan(double x) => Trigonometry.Tan(x);
    [RuntimeExport("tanf")] private static float TanF(float x) => (float)Trigonometry.Tan(x);
    [RuntimeExport("asin")] private static double Asin(double x) => InverseTrigonometry.Asin(x);
    [RuntimeExport("asinf")] private static float AsinF(float x) => (float)InverseTrigonometry.Asin(x);
    [RuntimeExport("acos")] private static double Acos(double x) => InverseTrigonometry.Acos(x);
    [RuntimeExport("acosf")] private static float AcosF(float x) => (float)InverseTrigonometry.Acos(x);
    [RuntimeExport("atan")] private static double Atan(double x) => InverseTrigonometry.Atan(x);
    [RuntimeExport("atanf")] private static float AtanF(float x) => (float)InverseTrigonometry.Atan(x);
    [RuntimeExport("exp")] private static double Exp(double x) => Exponentials.Exp(x);
    [RuntimeExport("expf")] private static float ExpF(float x) => (float)Exponentials.Exp(x);
    [RuntimeExport("log")] private static double Log(double x) => Logarithms.Log(x);
    [RuntimeExport("logf")] private static float LogF(float x) => (float)Logarithms.Log(x);
    [RuntimeExport("log2")] private static double Log2(double x) => Logarithms.Log2(x);
    [RuntimeExport("log2f")] private static float Log2F(float x) => (float)Logarithms.Log2(x);
    [RuntimeExport("log10")] private static double Log10(double x) => Logarithms.Log10(x);
    [RuntimeExport("log10f")] private static float Log10F(float x) => (float)Logarithms.Log10(x);
    [RuntimeExport("sqrt")] private static double Sqrt(double x) => Powers.Sqrt(x);
    [RuntimeExport("sqrtf")] private static float SqrtF(float x) => (float)Powers.Sqrt(x);
    [RuntimeExport("cbrt")] private static double Cbrt(double x) => Powers.Cbrt(x);
    [RuntimeExport("cbrtf")] private static float CbrtF(float x) => (float)Powers.Cbrt(x);
    [RuntimeExport("sinh")] private static double Sinh(double x) => Exponentials.Sinh(x);
    [RuntimeExport("sinhf")] private static float SinhF(float x) => (float)Exponentials.Sinh(x);
    [RuntimeExport("cosh")] private static double Cosh(double x) => Exponentials.Cosh(x);
    [RuntimeExport("coshf")] private static float CoshF(float x) => (float)Exponentials.Cosh(x);
    [RuntimeExport("tanh")] private static double Tanh(double x) => Exponentials.Tanh(x);
    [RuntimeExport("tanhf")] private static float TanhF(float x) => (float)Exponentials.Tanh(x);
    [RuntimeExport("atan2")] private static double Atan2(double y, double x) => InverseTrigonometry.Atan2(y, x);
    [RuntimeExport("atan2f")] private static float Atan2F(float y, float x) => (float)InverseTrigonometry.Atan2(y, x);
    [RuntimeExport("pow")] private static double Pow(double x, double y) => Powers.Pow(x, y);
    [RuntimeExport("powf")] private static float PowF(float x, float y) => (float)Powers.Pow(x, y);
    [RuntimeExport("fmod")] private static double Fmod(double x, double y) => Remainders.Fmod(x, y);
    [RuntimeExport("fmodf")] private static float FmodF(float x, float y) => (float)Remainders.Fmod(x, y);   // exact in double, so exact in float
    [RuntimeExport("modf")] private static double Modf(double x, double* integral) => Remainders.Modf(x, out *integral);
    [RuntimeExport("modff")]
    private static float ModfF(float x, float* integral)
    {
        double fraction = Remainders.Modf(x, out double whole);
        *integral = (float)whole;
        return (float)fraction;
    }
    [RuntimeExport("ceilf")] private static float CeilingF(float x) => (float)Ceiling(x);
    [RuntimeExport("floorf")] private static float FloorF(float x) => (float)Floor(x);
}
