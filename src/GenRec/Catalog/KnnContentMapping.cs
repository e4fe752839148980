using static TorchSharp.torch;

namespace GenRec.Catalog;

/// <summary>
/// The rows of the items nearest by content: <c>ê(x) = Σⱼ wⱼ eⱼ</c> over the K warm items j whose text vectors are most
/// similar (cosine) to x, weighted <c>w = softmax(cos(x, xⱼ) / τ)</c> (K 10, τ 0.05). No fitting: the new item sits
/// among the trained rows of the items it reads like, where the model's scoring space is, rather than near the mean
/// of all rows where a regression shrinks to.
/// </summary>
internal sealed class KnnContentMapping(Tensor content, Tensor embeddings, int neighbours = 10, double temperature = 0.05) : IContentMapping
{
    private readonly Tensor unitContent = nn.functional.normalize(content, dim: 1).detach().clone(); // [W, T]
    private readonly Tensor rows = embeddings.detach().clone();                                        // [W, D]

    public string Name => "knn";

    // content: [M, T] -> [M, D]
    public Tensor Map(Tensor query)
    {
        using var scope = NewDisposeScope();
        var similarity = nn.functional.normalize(query, dim: 1).matmul(unitContent.t());              // [M, W]
        var (top, index) = similarity.topk((int)Math.Min(neighbours, unitContent.shape[0]), dim: 1);   // [M, K]
        var weights = (top / temperature).softmax(1);                                                 // [M, K]
        var neighbourRows = rows.index_select(0, index.reshape(-1)).reshape(index.shape[0], index.shape[1], rows.shape[1]); // [M, K, D]
        return (weights.unsqueeze(2) * neighbourRows).sum(1).MoveToOuterDisposeScope();               // [M, D]
    }

    public void Dispose()
    {
        unitContent.Dispose();
        rows.Dispose();
    }
}
