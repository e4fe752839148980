using GenRec.Configuration;
namespace GenRec;

/// <summary>How <see cref="Recommender.Load(string, RecommenderOptions?)"/> loads a checkpoint.</summary>
public sealed record RecommenderOptions
{
    /// <summary><c>cpu</c>, <c>cuda</c>, <c>cuda:N</c> or <c>auto</c> (CUDA when present).</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Top-k index over the item embeddings: <c>exact</c> or <c>hnsw</c> (approximate).</summary>
    public IndexKind Index { get; init; } = IndexKind.Exact;

    /// <summary>Hears where the model's dataset was found and how it was loaded.</summary>
    public Action<string>? Log { get; init; }
}
