using static TorchSharp.torch;

namespace GenRec.Models.Similarity;

/// <summary>
/// Similarity between user states and item embeddings (both already output-normalised), as
/// generative-recommenders' interaction modules. Two shapes: per-row item sets (each query has its
/// own items, e.g. local negatives) and one item set shared by all queries (in-batch, full ranking).
/// </summary>
internal interface ISimilarity
{
    /// <summary>queries [M, D], items [M, K, D] -> [M, K].</summary>
    Tensor PerRow(Tensor queries, Tensor items);

    /// <summary>queries [M, D], items [K, D] -> [M, K].</summary>
    Tensor Shared(Tensor queries, Tensor items);

    /// <summary>True when <see cref="Shared"/> over a small catalogue is cheaper than <see cref="PerRow"/> over sampled items.</summary>
    bool IsCheapOverCatalogue { get; }
}
