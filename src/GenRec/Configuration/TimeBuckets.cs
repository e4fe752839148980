namespace GenRec.Configuration;

/// <summary>How HSTU's relative time bias buckets the gap between two events (<c>model.time_bucketing</c>; generative-recommenders' functions).</summary>
public enum TimeBuckets
{
    /// <summary><c>floor(ln(max(|dt|, 1)) / 0.301)</c>.</summary>
    Log,

    /// <summary><c>floor(sqrt(max(|dt|, 1)))</c>.</summary>
    Sqrt,

    /// <summary>No time term.</summary>
    None,
}
