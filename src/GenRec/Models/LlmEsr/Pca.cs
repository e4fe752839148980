using static TorchSharp.torch;

namespace GenRec.Models.LlmEsr;

/// <summary>
/// Principal component analysis by a thin SVD of the centred data, as scikit-learn's <c>PCA</c>
/// (<c>fit_transform</c>, not whitened): the projections onto the top components, with each
/// component's sign fixed so that its largest-magnitude loading is positive (deterministic output).
/// </summary>
internal static class Pca
{
    // x: [N, F] -> projections [N, k] and the variance each component explains [k]
    public static (Tensor Projections, Tensor ExplainedVariance) Fit(Tensor x, int k)
    {
        if (x.dim() != 2 || k < 1 || k > Math.Min(x.shape[0], x.shape[1]))
        {
            throw new ArgumentException($"PCA of a [{string.Join(", ", x.shape)}] matrix into {k} components needs 1 <= k <= min(rows, columns)");
        }

        using var _ = no_grad();
        var data = x.to(float64);
        var centred = data - data.mean([0], keepdim: true);                             // [N, F]
        var (_, s, vh) = linalg.svd(centred, fullMatrices: false);                       // s [r], vh [r, F]
        var components = vh.narrow(0, 0, k);                                             // [k, F]
        var largest = components.abs().argmax(1, keepdim: true);                         // [k, 1]
        var signs = components.gather(1, largest).sign();                                // [k, 1]
        components = components * signs;
        var projections = centred.matmul(components.t());                                // [N, k]
        var variance = s.narrow(0, 0, k).pow(2) / Math.Max(1, x.shape[0] - 1);           // [k]
        return (projections.to(x.dtype), variance.to(x.dtype));
    }
}
