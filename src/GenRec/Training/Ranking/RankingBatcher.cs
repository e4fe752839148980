using GenRec.Compute;
using GenRec.Models.Ranking;
using static TorchSharp.torch;

namespace GenRec.Training.Ranking;

/// <summary>
/// A training batch for <see cref="HstuRanker"/>: each history's item tokens are the positive
/// candidates of their steps, and one sampled item per step (uniform, not the step's item; or, with a pool of hard
/// negatives for the row, one of those with probability <c>hardShare</c>) is appended with the same prefix as the negative. <c>Valid</c> [B, N]; <c>Likes</c> [B, N] (1 when the
/// step's rating reaches the like threshold) or null for order-only data.
/// </summary>
internal sealed record RankingBatch(RankingInput Input, Tensor Valid, Tensor? Likes)
{
    public RankingBatch To(Device device) => new(Input.To(device), Valid.ToDevice(device), Likes.ToDevice(device));
}

internal static class RankingBatcher
{
    public static RankingBatch Build(IReadOnlyList<RankingHistory> histories, IReadOnlyList<float[]?> ratings, float likeThreshold, int numItems, Random rng, int userFeatures = 0, IReadOnlyList<int[]>? pools = null, double hardShare = 0)
    {
        var b = histories.Count;
        var n = Math.Max(1, histories.Max(h => h.Length));
        var timed = histories.All(h => h.Times is not null);
        var ids = new long[b * n];
        var actions = new long[b * n];
        var times = timed ? new long[b * n] : null;
        var negatives = new long[b * n];
        var prefix = new long[b * n];
        var likes = ratings.All(r => r is not null) ? new float[b * n] : null;
        for (var row = 0; row < b; row++)
        {
            var h = histories[row];
            for (var t = 0; t < h.Length; t++)
            {
                var at = (row * n) + t;
                ids[at] = h.Items[t];
                actions[at] = h.Actions[t];
                prefix[at] = t;
                if (times is not null)
                {
                    times[at] = h.Times![t];
                }

                negatives[at] = pools?[row] is { Length: > 0 } pool && rng.NextDouble() < hardShare
                    ? pool[rng.Next(pool.Length)]                                             // never one of the user's items
                    : Uniform(h.Items[t], numItems, rng);
                if (likes is not null)
                {
                    var rated = ratings[row]!;
                    likes[at] = rated[rated.Length - h.Length + t] >= likeThreshold ? 1 : 0;
                }
            }
        }

        var idTensor = tensor(ids).view(b, n);
        var timeTensor = times is null ? null : tensor(times).view(b, n);
        var input = new RankingInput(idTensor, tensor(actions).view(b, n), timeTensor, tensor(negatives).view(b, n) * idTensor.ne(0), tensor(prefix).view(b, n), timeTensor, RankingHistory.FeatureTensor(histories, userFeatures));
        return new RankingBatch(input, idTensor.ne(0), likes is null ? null : tensor(likes).view(b, n));
    }

    // A uniform item other than the step's own.
    private static int Uniform(int own, int numItems, Random rng)
    {
        int negative;
        do
        {
            negative = 1 + rng.Next(numItems);
        }
        while (negative == own && numItems > 1);
        return negative;
    }
}
