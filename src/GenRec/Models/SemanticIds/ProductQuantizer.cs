using GenRec.Models.LlmEsr;
using static TorchSharp.torch;

namespace GenRec.Models.SemanticIds;

/// <summary>
/// Long, unordered semantic IDs by product quantisation of item vectors (RPG, Hou et al., KDD 2025): the vectors are
/// reduced by PCA, turned by a seeded random rotation (so that every subspace carries a like share of the variance;
/// RPG learns the rotation with FAISS's OPQ instead), cut into <c>m</c> equal subspaces, and each subspace is
/// quantised by its own k-means codebook. Code j of an item is its nearest centroid in subspace j; no code depends on
/// another, so a model may predict all m in parallel.
/// </summary>
internal static class ProductQuantizer
{
    /// <summary>Codes [N][m] of item vectors [N, F] (row-major values): PCA to <paramref name="dim"/> (F if larger), then m subspaces of dim / m.</summary>
    public static int[][] Encode(float[] values, int count, int features, int dim, int subspaces, int codebookSize, int iterations, int seed)
    {
        if (dim > features)
        {
            dim = features;
        }

        if (subspaces < 1 || dim % subspaces != 0)
        {
            throw new ArgumentException($"product quantisation: {dim} dimensions do not split into {subspaces} equal subspaces");
        }

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var generator = new Generator().manual_seed(seed);
        var x = tensor(values).view(count, features);                                   // [N, F]
        var reduced = dim < features ? Pca.Fit(x, dim).Projections : x - x.mean([0], keepdim: true); // [N, dim]
        var (rotation, _) = linalg.qr(randn(dim, dim, generator: generator));            // [dim, dim] orthogonal
        var rotated = reduced.matmul(rotation);                                           // [N, dim]
        var width = dim / subspaces;
        var codes = new int[count][];
        for (var i = 0; i < count; i++)
        {
            codes[i] = new int[subspaces];
        }

        for (var j = 0; j < subspaces; j++)
        {
            using var subspace = NewDisposeScope();                                      // k-means' temporaries go with each subspace
            var part = rotated.narrow(1, j * width, width).contiguous();                 // [N, dim / m]
            var centroids = KMeans.Fit(part, codebookSize, iterations, generator);        // [K, dim / m]
            var assigned = ResidualQuantizer.SquaredDistances(part, centroids).argmin(1).data<long>().ToArray();
            for (var i = 0; i < count; i++)
            {
                codes[i][j] = (int)assigned[i];
            }
        }

        return codes;
    }
}
