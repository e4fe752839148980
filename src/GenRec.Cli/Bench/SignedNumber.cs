using System.Globalization;

namespace GenRec.Cli.Bench;

/// <summary>
/// A difference with its sign always written: <c>+0.0123</c>, <c>-0.0004</c>, and <c>-0.0000</c> for a small negative
/// that rounds to zero (.NET's two-section custom formats print <c>-+0.0000</c> there).
/// </summary>
internal static class SignedNumber
{
    public static string Format(double value, string format = "0.0000") =>
        (value < 0 ? "-" : "+") + Math.Abs(value).ToString(format, CultureInfo.InvariantCulture);
}
