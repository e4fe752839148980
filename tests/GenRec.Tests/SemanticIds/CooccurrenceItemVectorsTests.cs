using GenRec.Models.SemanticIds;
using static TorchSharp.torch;

namespace GenRec.Tests.SemanticIds;

/// <summary>Collaborative item vectors: PPMI against hand counts, randomised SVD against the exact SVD.</summary>
public class CooccurrenceItemVectorsTests
{
    [Fact]
    public void PpmiCountsPairsWithinTheWindowInBothDirections()
    {
        // Window 1: pairs (1,2), (2,3) from the first sequence, (1,2) again from the second; 4 co-occurs with nothing.
        int[][] sequences = [[1, 2, 3], [2, 1], [4]];
        var (rows, cols, values) = CooccurrenceItemVectors.Ppmi(sequences, numItems: 4, window: 1);
        // c12 = c21 = 2, c23 = c32 = 1; marginals c1 = 2, c2 = 3, c3 = 1; total 6.
        // PMI(1,2) = ln(2*6/(2*3)) = ln 2; PMI(2,3) = ln(1*6/(3*1)) = ln 2.
        Assert.Equal(new long[] { 1, 2, 2, 3 }, rows);
        Assert.Equal(new long[] { 2, 1, 3, 2 }, cols);
        Assert.All(values, v => Assert.Equal(Math.Log(2), v, 12));

        // Window 2 adds (1,3): c13 = 1, marginals c1 = 3, c2 = 3, c3 = 2, total 8; PMI(1,3) = ln(8/6) > 0, PMI(1,2) = ln(16/9), PMI(2,3) = ln(8/6).
        var wide = CooccurrenceItemVectors.Ppmi(sequences, numItems: 4, window: 2);
        Assert.Equal(6, wide.Values.Length);
        var lookup = wide.Rows.Zip(wide.Cols, wide.Values).ToDictionary(e => (e.First, e.Second), e => e.Third);
        Assert.Equal(Math.Log(16.0 / 9), lookup[(1, 2)], 12);
        Assert.Equal(Math.Log(8.0 / 6), lookup[(1, 3)], 12);
        Assert.Equal(Math.Log(8.0 / 6), lookup[(3, 2)], 12);
    }

    [Fact]
    public void RandomisedSvdMatchesTheExactSvdOfASymmetricMatrix()
    {
        manual_seed(3);
        var basis = randn(40, 6, dtype: float64);
        var symmetric = basis.mm(diag(tensor(new double[] { 9, -7, 5, 3, 2, 1 }))).mm(basis.t());   // rank 6, indefinite
        var (u, s) = CooccurrenceItemVectors.TruncatedSvd(symmetric.to_sparse(), k: 4, seed: 1);
        var (exactU, exactS, _) = linalg.svd(symmetric, fullMatrices: false);
        Assert.True(s.allclose(exactS.narrow(0, 0, 4), rtol: 1e-8), $"{string.Join(", ", s.data<double>().ToArray())} vs {string.Join(", ", exactS.data<double>().ToArray())}");
        // Same singular vectors up to sign.
        var overlap = u.t().mm(exactU.narrow(1, 0, 4)).abs();                                     // [4, 4] ~ identity
        Assert.True(overlap.allclose(eye(4, dtype: float64), atol: 1e-8), string.Join(", ", overlap.data<double>().ToArray()));
        // Seeded: the same vectors again from the same (sparse) input; a dense input may differ in the last bit (another matmul kernel).
        Assert.Equal(u.data<double>().ToArray(), CooccurrenceItemVectors.TruncatedSvd(symmetric.to_sparse(), k: 4, seed: 1).U.data<double>().ToArray());
    }

    [Fact]
    public void ItemsThatAppearTogetherGetCloseVectorsAndThePaddingRowIsZero()
    {
        // Two clusters: items 1-4 only ever with each other, items 5-8 likewise.
        var random = new Random(2);
        var sequences = Enumerable.Range(0, 200).Select(u => Enumerable.Range(0, 6).Select(_ => (u % 2 == 0 ? 1 : 5) + random.Next(4)).ToArray()).ToArray();
        var vectors = CooccurrenceItemVectors.Compute(sequences, numItems: 8, dim: 2, window: 3, seed: 5);
        Assert.Equal(9 * 2, vectors.Length);
        Assert.Equal(0f, vectors[0]);
        Assert.Equal(0f, vectors[1]);
        double Cosine(int a, int b)
        {
            var x = vectors.AsSpan(a * 2, 2);
            var y = vectors.AsSpan(b * 2, 2);
            return ((x[0] * y[0]) + (x[1] * y[1])) / Math.Sqrt(((x[0] * x[0]) + (x[1] * x[1])) * ((y[0] * y[0]) + (y[1] * y[1])));
        }

        Assert.True(Cosine(1, 3) > 0.9 && Cosine(6, 8) > 0.9, $"{Cosine(1, 3):F3} {Cosine(6, 8):F3}");
        Assert.True(Cosine(1, 6) < 0.5, $"{Cosine(1, 6):F3}");
    }
}
