using GenRec.Data;

namespace GenRec.Serving;

/// <summary>
/// A served first stage: the model that answers <c>/recommend</c> (its top k, or the top N a ranker then orders) and
/// scores given candidates for <c>/rank</c>. Two kinds: <see cref="RetrievalEngine"/> (a sequential model's user state
/// against an index of item vectors) and <see cref="GenerativeEngine"/> (a semantic-ID model's trie-constrained beams).
/// Thread-safe: inference only reads the weights.
/// </summary>
internal interface IRetriever : IDisposable
{
    /// <summary>The dataset the model was trained on (its items and known users).</summary>
    SequenceDataset Dataset { get; }

    /// <summary>Where the model came from (checkpoint path), for /health.</summary>
    string Source { get; }

    /// <summary>How the top k is found (the index, or the beam search), for /health.</summary>
    string IndexName { get; }

    /// <summary>Items withdrawn from the catalogue (dense ids): in the model, never recommended.</summary>
    IReadOnlySet<int> Withdrawn { get; }

    /// <summary>True when the model reads user feature tokens (their values come with the user or the request).</summary>
    bool UsesUserFeatures { get; }

    /// <summary>Feature value ids of a request's user features (by name), for an unseen user; null when none are given.</summary>
    int[]? EncodeUserFeatures(IReadOnlyDictionary<string, string>? values);

    /// <summary>Top-k items after the history (of a known <paramref name="user"/>, else -1), computed alone; items of the history are left out when asked.</summary>
    IReadOnlyList<Recommendation> Recommend(int[] history, int k, bool filterHistory = true, int user = -1, int[]? userFeatures = null);

    /// <summary>The top k of a validated request, batched with concurrent requests' passes where batching is on.</summary>
    Task<IReadOnlyList<Recommendation>> RetrieveAsync(RetrievalQuery query);

    /// <summary>The model's scores of the candidates after the history, in the candidates' order.</summary>
    float[] Rank(int[] history, int[] candidates, int user = -1, int[]? userFeatures = null);

    /// <summary>The name of the first weight tensor holding NaN or infinity, or null when all are finite.</summary>
    string? FirstNonFiniteWeight();

    /// <summary>Gathers concurrent requests' passes into batches of at most <paramref name="maxBatch"/>, waiting at most <paramref name="maxWait"/>.</summary>
    void EnableBatching(int maxBatch, TimeSpan maxWait, Action<int, TimeSpan>? observe = null, int workers = 1);

    /// <summary>Stops batching (the engine is being replaced): queued requests are answered, later ones computed alone.</summary>
    Task StopBatching();
}
