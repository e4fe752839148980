namespace GenRec.Evaluation;

/// <summary>How to evaluate.</summary>
public sealed record EvalOptions
{
    public int BatchSize { get; init; } = 256;

    /// <summary>Exclude items already in the history from the ranking (the target itself is never excluded).</summary>
    public bool FilterHistory { get; init; } = true;

    public IReadOnlyList<int> Ks { get; init; } = MetricAccumulator.DefaultKs;

    /// <summary>0 for full ranking over all items; otherwise the number of sampled negatives (e.g. 100).</summary>
    public int SampledNegatives { get; init; }

    /// <summary>
    /// Sampled negatives in proportion to these weights (by item id; e.g. training popularity) instead of
    /// uniformly; null for uniform. Still distinct and outside the history and the target.
    /// </summary>
    public IReadOnlyList<double>? NegativeWeights { get; init; }

    /// <summary>Seed of the negative sampler; the same seed gives the same negatives for each user.</summary>
    public int Seed { get; init; } = 42;
}
