using GenRec.Models.Ranking;

namespace GenRec.Configuration;

/// <summary>
/// The HSTU ranking model (Zhai et al., 2024, section 3: generative ranking). Defaults follow the
/// retrieval HSTU on MovieLens (dim 50, 2 blocks, 1 head, 200 items of history, dropout 0.2).
/// </summary>
internal sealed record RankingConfig
{
    public int EmbeddingDim { get; init; } = 50;

    /// <summary>Most recent history items kept (2x as many tokens: item, action).</summary>
    public int MaxHistory { get; init; } = 200;

    public int NumBlocks { get; init; } = 2;

    public int NumHeads { get; init; } = 1;

    public double Dropout { get; init; } = 0.2;

    /// <summary>False gives the baseline that ignores history: each candidate sees only itself.</summary>
    public bool HistoryAware { get; init; } = true;

    /// <summary>Learned time term in the relative attention bias (when the data has timestamps).</summary>
    public bool TimeBias { get; init; } = true;

    /// <summary>A rating at or above this counts as "like" (the second task on rated data).</summary>
    public float LikeThreshold { get; init; } = 4f;

    /// <summary>User feature tokens before the history (and an item feature in the item embedding), as <see cref="FeatureConfig"/> for retrieval.</summary>
    public FeatureConfig? Features { get; init; }
}
