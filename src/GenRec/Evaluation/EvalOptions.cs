namespace GenRec.Evaluation;

/// <summary>How to evaluate.</summary>
public sealed record EvalOptions
{
    /// <summary>Users scored per forward pass.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Exclude items already in the history from the ranking (the target itself is never excluded).</summary>
    public bool FilterHistory { get; init; } = true;

    /// <summary>
    /// With <see cref="FilterHistory"/>: exclude only the last this many history items, the model's input
    /// window (as generative-recommenders' evaluation, which masks the ids the model was given); 0 excludes
    /// the whole history.
    /// </summary>
    public int HistoryWindow { get; init; }

    /// <summary>What full ranking leaves out, for protocol strings: "history filtered", "input window filtered (...)" or "".</summary>
    public string FilterDescription => !FilterHistory ? "no history filtering" : HistoryWindow > 0 ? $"input window filtered (the last {HistoryWindow} history items)" : "history filtered";

    /// <summary>The cut-offs of HR@k, NDCG@k and the like.</summary>
    public IReadOnlyList<int> Ks { get; init; } = MetricAccumulator.DefaultKs;

    /// <summary>0 for full ranking over all items; otherwise the number of sampled negatives (e.g. 100).</summary>
    public int SampledNegatives { get; init; }

    /// <summary>
    /// Sampled negatives in proportion to these weights (by item id; e.g. training popularity) instead of
    /// uniformly; null for uniform. Still distinct and outside the history and the target.
    /// </summary>
    public IReadOnlyList<double>? NegativeWeights { get; init; }

    /// <summary>
    /// Items left out of full ranking (by item id, entry 0 unused): those outside the catalogue the model was trained
    /// on, such as the cold items of <c>data.cold_item_share</c> before they arrive. A target is never left out. Null:
    /// every item is ranked.
    /// </summary>
    public IReadOnlyList<bool>? Unranked { get; init; }

    /// <summary>
    /// Full ranking under the open catalogue's new-item rule (<see cref="Catalog.NewItemSlots"/>): these items (by id,
    /// entry 0 unused) are the new ones, and up to floor(<see cref="NewItemShare"/> x <see cref="NewItemListLength"/>) places
    /// of the top <see cref="NewItemListLength"/> go to the best-scoring of them. Ranks past that list are the model's.
    /// </summary>
    public IReadOnlyList<bool>? NewItems { get; init; }

    /// <summary>The share of the list kept for <see cref="NewItems"/>.</summary>
    public double NewItemShare { get; init; }

    /// <summary>
    /// What orders the new items for their places (null: the model's own scores): a scorer of the same items, such as
    /// the text floor (<c>text-knn</c>), whose best new items take the places, each still listed with the model's score.
    /// </summary>
    internal Scoring.IScorer? NewItemRanker { get; init; }

    /// <summary>The list the new-item rule fills (10: metrics at 5 and 10 read its first 5 and 10 places).</summary>
    public int NewItemListLength { get; init; } = 10;

    /// <summary>Seed of the negative sampler; the same seed gives the same negatives for each user.</summary>
    public int Seed { get; init; } = 42;
}
