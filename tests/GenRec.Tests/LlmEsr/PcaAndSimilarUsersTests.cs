using GenRec.Models.LlmEsr;
using GenRec.Training.LlmEsr;
using static TorchSharp.torch;

namespace GenRec.Tests.LlmEsr;

public class PcaAndSimilarUsersTests
{
    [Fact]
    public void PcaMatchesTheEigendecompositionOfTheCovariance()
    {
        manual_seed(1);
        var scales = tensor(new[] { 5.0f, 3.0f, 2.0f, 1.0f, 0.5f, 0.2f });
        var x = (randn(40, 6) * scales).matmul(linalg.qr(randn(6, 6)).Q) + 3;   // rotated, shifted, distinct variances
        var (projections, variance) = Pca.Fit(x, 3);

        // Reference: eigenvectors of the sample covariance, largest eigenvalues first.
        var xd = x.to(float64);
        var centred = xd - xd.mean([0], keepdim: true);
        var covariance = centred.t().matmul(centred) / 39.0;
        var (values, vectors) = linalg.eigh(covariance);                          // ascending
        for (var c = 0; c < 3; c++)
        {
            var column = 5 - c;
            Assert.Equal(values[column].item<double>(), variance[c].item<float>(), 3);
            var reference = centred.matmul(vectors[.., column]);                  // [40]
            var ours = projections[.., c].to(float64);
            // Components are defined up to sign; PCA fixes it, the reference does not.
            var sign = (ours * reference).sum().item<double>() >= 0 ? 1.0 : -1.0;
            Assert.True((ours - (sign * reference)).abs().max().item<double>() < 1e-3, $"component {c} differs from the eigenvector projection");
        }

        // Deterministic sign: each component's largest loading is positive, so a rerun gives the same result.
        var (again, _) = Pca.Fit(x, 3);
        Assert.True(again.eq(projections).all().item<bool>());
        Assert.Throws<ArgumentException>(() => Pca.Fit(x, 7));
    }

    [Fact]
    public void SimilarUsersMatchBruteForceCosine()
    {
        var rng = new Random(4);
        const int items = 25, dim = 6, users = 37, k = 5;
        var table = zeros(items + 1, dim);
        for (var i = 1; i <= items; i++)
        {
            for (var d = 0; d < dim; d++)
            {
                table[i, d] = (float)((rng.NextDouble() * 2) - 1);
            }
        }

        var histories = Enumerable.Range(0, users).Select(_ => Enumerable.Range(0, 1 + rng.Next(6)).Select(_ => 1 + rng.Next(items)).ToArray()).ToArray();
        histories[3] = (int[])histories[7].Clone();                               // a tie: identical profiles
        var profiles = SimilarUsers.Profiles(table, histories);
        var found = SimilarUsers.Find(profiles, k, chunk: 8);                      // several chunks

        var values = table.data<float>().ToArray();
        double[] Profile(int[] h) => Enumerable.Range(0, dim).Select(d => h.Average(i => (double)values[(i * dim) + d])).ToArray();
        double Cosine(double[] a, double[] b) => a.Zip(b, (p, q) => p * q).Sum() / Math.Sqrt(a.Sum(p => p * p) * b.Sum(q => q * q));
        var all = histories.Select(Profile).ToArray();
        for (var u = 0; u < users; u++)
        {
            Assert.Equal(all[u], profiles[u].data<float>().ToArray().Select(v => (double)v), new ToleranceComparer(1e-5));
            var expected = Enumerable.Range(0, users).Where(v => v != u)
                .Select(v => (User: v, Similarity: Cosine(all[u], all[v])))
                .OrderByDescending(p => Math.Round(p.Similarity, 9)).ThenBy(p => p.User)
                .Take(k).Select(p => p.User).ToArray();
            Assert.Equal(expected, found[u]);
        }

        Assert.Equal(7, found[3][0]);
        Assert.Equal(3, found[7][0]);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
