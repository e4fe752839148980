using GenRec.Catalog;
using static TorchSharp.torch;

namespace GenRec.Tests.Catalog;

/// <summary>The maps from an item's text vector to a model's item embedding, against closed forms and each other.</summary>
public class ContentMappingTests
{
    [Fact]
    public void RidgeIsTheNormalEquationsSolutionWithAnIntercept()
    {
        // 6 items, 2-d content, 1-d embedding; by hand: centre, then w = (XcᵀXc + λI)⁻¹ Xcᵀ ec, b = ē − x̄ w.
        double[,] x = { { 1, 0 }, { 0, 1 }, { 1, 1 }, { 2, 1 }, { 0, 2 }, { 3, 1 } };
        double[] e = [2, -1, 1, 3, -2, 5];
        const double lambda = 0.5;
        var (xMean0, xMean1, eMean) = (Enumerable.Range(0, 6).Average(i => x[i, 0]), Enumerable.Range(0, 6).Average(i => x[i, 1]), e.Average());
        double a = 0, b = 0, d = 0, r0 = 0, r1 = 0;
        for (var i = 0; i < 6; i++)
        {
            var (c0, c1, ce) = (x[i, 0] - xMean0, x[i, 1] - xMean1, e[i] - eMean);
            a += c0 * c0; b += c0 * c1; d += c1 * c1; r0 += c0 * ce; r1 += c1 * ce;
        }

        (a, d) = (a + lambda, d + lambda);
        var det = (a * d) - (b * b);
        var (w0, w1) = (((d * r0) - (b * r1)) / det, ((a * r1) - (b * r0)) / det);
        using var content = tensor(new float[] { 1, 0, 0, 1, 1, 1, 2, 1, 0, 2, 3, 1 }).reshape(6, 2);
        using var embeddings = tensor(e.Select(v => (float)v).ToArray()).reshape(6, 1);
        using var ridge = RidgeContentMapping.Fit(content, embeddings, lambda);
        using var query = tensor(new float[] { 4, -1 }).reshape(1, 2);
        using var mapped = ridge.Map(query);
        Assert.Equal(eMean + (w0 * (4 - xMean0)) + (w1 * (-1 - xMean1)), mapped.item<float>(), 4);
    }

    [Fact]
    public void RidgeRecoversALinearMapAndFindsEachHeldOutItsOwnRow()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var content = randn(400, 16);                                   // [N, T]
        var embeddings = content.matmul(randn(16, 8)) + 0.5;             // [N, D], exactly linear
        long[] rows = [.. Enumerable.Range(0, 400).Select(i => (long)i)];
        var figures = ContentMappings.Compare(content, embeddings, rows, embeddings, seed: 3);
        Assert.True(figures["ridge"].R2 > 0.999, $"ridge R2 {figures["ridge"].R2}");
        Assert.True(figures["ridge"].Cosine > 0.999);
        Assert.Equal(40, figures["ridge"].HeldOut);
        Assert.True(figures["ridge"].TrueRowInTop10 > 0.9, $"own row in the top 10 for {figures["ridge"].TrueRowInTop10:P0}");
    }

    [Fact]
    public void TheMlpLearnsANonlinearMapThatRidgeCannot()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var content = rand(1500, 4) * 4 - 2;                             // [N, 4] in [-2, 2]
        var embeddings = stack([content[.., 0] * content[.., 1], content[.., 2].abs(), content[.., 3].square()], 1); // [N, 3]: products, |x|, x²
        long[] rows = [.. Enumerable.Range(0, 1500).Select(i => (long)i)];
        var figures = ContentMappings.Compare(content, embeddings, rows, embeddings, seed: 4);
        Assert.True(figures["ridge"].R2 < 0.2, $"ridge R2 {figures["ridge"].R2}");  // no linear trend in x0·x1, |x2| or x3²
        Assert.True(figures["mlp"].R2 > 0.8, $"mlp R2 {figures["mlp"].R2}");
    }
}
