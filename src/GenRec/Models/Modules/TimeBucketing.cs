using GenRec.Configuration;
using static TorchSharp.torch;

namespace GenRec.Models.Modules;

/// <summary>
/// Bucketisation of time gaps (seconds) for HSTU's relative time bias, as generative-recommenders:
/// <c>log</c>: <c>floor(ln(max(|dt|, 1)) / 0.301)</c>; <c>sqrt</c>: <c>floor(sqrt(max(|dt|, 1)))</c>; both clamped to [0, buckets].
/// </summary>
internal static class TimeBucketing
{
    // dt: [...] int64 seconds -> [...] int64 bucket ids in [0, buckets]
    public static Tensor Bucketize(Tensor dt, TimeBuckets kind, int buckets)
    {
        var magnitude = dt.abs().clamp_min(1).to(float64);
        var raw = kind switch
        {
            TimeBuckets.Log => magnitude.log() / 0.301,
            TimeBuckets.Sqrt => magnitude.sqrt(),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "a bucketing function (log or sqrt)"),
        };
        return raw.floor().to(int64).clamp(0, buckets);
    }

    /// <summary>The same function on one gap, for tests and documentation.</summary>
    public static int Bucket(long dt, TimeBuckets kind, int buckets)
    {
        var magnitude = Math.Max(Math.Abs((double)dt), 1);
        var raw = kind == TimeBuckets.Log ? Math.Log(magnitude) / 0.301 : Math.Sqrt(magnitude);
        return (int)Math.Clamp(Math.Floor(raw), 0, buckets);
    }
}
