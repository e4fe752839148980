using static TorchSharp.torch;

namespace GenRec.Models.SemanticIds;

/// <summary>k-means with k-means++ seeding and Lloyd iterations; empty clusters are re-seeded with the farthest points. Seeded.</summary>
internal static class KMeans
{
    // points [N, d] -> centroids [k, d]
    public static Tensor Fit(Tensor points, int k, int iterations, Generator generator)
    {
        using var _ = no_grad();
        var n = points.shape[0];
        if (n < k)
        {
            // Fewer points than clusters: every point is a centroid, the rest are jittered copies.
            var picks = randint(0, n, [k], generator: generator);
            return points.index_select(0, picks) + (randn(k, points.shape[1], generator: generator) * 1e-3);
        }

        var first = randint(0, n, [1], generator: generator);
        var centroids = points.index_select(0, first);                                   // [1, d]
        var nearest = ResidualQuantizer.SquaredDistances(points, centroids).squeeze(1).clamp_min(0); // [N]
        for (var c = 1; c < k; c++)
        {
            var total = nearest.sum().item<float>();
            var next = total > 0 ? multinomial(nearest / total, 1, generator: generator) : randint(0, n, [1], generator: generator);
            var centroid = points.index_select(0, next);
            centroids = cat([centroids, centroid]);
            nearest = minimum(nearest, ResidualQuantizer.SquaredDistances(points, centroid).squeeze(1).clamp_min(0));
        }

        for (var iteration = 0; iteration < iterations; iteration++)
        {
            var distances = ResidualQuantizer.SquaredDistances(points, centroids);      // [N, k]
            var assignment = distances.argmin(1);                                       // [N]
            var sums = zeros(k, points.shape[1]).index_add(0, assignment, points, 1);
            var counts = bincount(assignment, minlength: k).to(float32).unsqueeze(1);   // [k, 1]
            var empty = counts.squeeze(1).eq(0);
            var updated = sums / counts.clamp_min(1);
            var emptyCount = (int)empty.sum().item<long>();
            if (emptyCount > 0)
            {
                var farthest = distances.min(1).values.topk(emptyCount).indexes;       // the worst-served points
                updated[empty] = points.index_select(0, farthest);
            }

            centroids = updated;
        }

        return centroids;
    }
}
