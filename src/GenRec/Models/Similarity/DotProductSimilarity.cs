using static TorchSharp.torch;

namespace GenRec.Models.Similarity;

/// <summary>Inner product <c>s(u, x) = u . x</c> (cosine when both sides are L2-normalised).</summary>
internal sealed class DotProductSimilarity : ISimilarity
{
    public bool IsCheapOverCatalogue => true;

    // queries [M, D], items [M, K, D] -> [M, K]
    public Tensor PerRow(Tensor queries, Tensor items) => items.matmul(queries.unsqueeze(-1)).squeeze(-1);

    // queries [M, D], items [K, D] -> [M, K]
    public Tensor Shared(Tensor queries, Tensor items) => queries.matmul(items.t());
}
