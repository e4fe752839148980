using static TorchSharp.torch;

namespace GenRec.Catalog;

/// <summary>
/// Ridge regression from content to embedding, with an intercept:
/// <c>W = (X_cᵀ X_c + λ I)⁻¹ X_cᵀ E_c</c> on the centred content X_c [N, T] and embeddings E_c [N, D] (solved in float64),
/// <c>ê(x) = (x − x̄) W + ē</c>. The closed form: no iterations, no seed.
/// </summary>
internal sealed class RidgeContentMapping : IContentMapping
{
    private readonly Tensor weight;       // [T, D]
    private readonly Tensor contentMean;  // [T]
    private readonly Tensor embeddingMean; // [D]

    private RidgeContentMapping(Tensor weight, Tensor contentMean, Tensor embeddingMean, double lambda)
    {
        this.weight = weight;
        this.contentMean = contentMean;
        this.embeddingMean = embeddingMean;
        Lambda = lambda;
    }

    public string Name => "ridge";

    /// <summary>The penalty λ.</summary>
    public double Lambda { get; }

    /// <summary>Fits the map on pairs: content [N, T], embeddings [N, D].</summary>
    public static RidgeContentMapping Fit(Tensor content, Tensor embeddings, double lambda)
    {
        if (lambda < 0 || double.IsNaN(lambda))
        {
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "the ridge penalty is 0 or more");
        }

        using var scope = NewDisposeScope();
        var x = content.to(float64);                                    // [N, T]
        var e = embeddings.to(float64);                                 // [N, D]
        var xMean = x.mean([0]);                                        // [T]
        var eMean = e.mean([0]);                                        // [D]
        var xc = x - xMean;
        var ec = e - eMean;
        var gram = xc.t().matmul(xc) + (lambda * eye(x.shape[1], dtype: float64, device: x.device)); // [T, T]
        var w = linalg.solve(gram, xc.t().matmul(ec));                 // [T, D]
        return new RidgeContentMapping(w.to(float32).MoveToOuterDisposeScope(), xMean.to(float32).MoveToOuterDisposeScope(), eMean.to(float32).MoveToOuterDisposeScope(), lambda);
    }

    // content: [M, T] -> [M, D]
    public Tensor Map(Tensor content)
    {
        using var scope = NewDisposeScope();
        return ((content - contentMean).matmul(weight) + embeddingMean).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        weight.Dispose();
        contentMean.Dispose();
        embeddingMean.Dispose();
    }
}
