using GenRec.Models.Preprocessors;

namespace GenRec.Models.Ranking;

/// <summary>
/// One user's history for ranking: items (oldest first), their action levels and times (or null),
/// cut to the model's most recent <c>maxHistory</c> items, and the user's feature value ids (null: none or unknown).
/// </summary>
internal sealed record RankingHistory(int[] Items, long[] Actions, long[]? Times, int[]? UserFeatures = null)
{
    /// <summary>Feature value ids [B, F] of the histories' users (0 where unknown), or null for a model without user features.</summary>
    public static TorchSharp.torch.Tensor? FeatureTensor(IReadOnlyList<RankingHistory> histories, int count) =>
        Modules.UserFeatureIds.Batch([.. histories.Select(h => h.UserFeatures)], count);

    /// <summary>Actions from ratings (rating levels), or "engaged" (level 1) for order-only data.</summary>
    public static RankingHistory From(int[] items, float[]? ratings, long[]? times, int maxHistory)
    {
        var start = Math.Max(0, items.Length - maxHistory);
        var actions = ratings is null
            ? Enumerable.Repeat(1L, items.Length - start).ToArray()
            : ratings[start..].Select(RatingLevels.Of).ToArray();
        return new RankingHistory(items[start..], actions, times?[start..]);
    }

    public int Length => Items.Length;
}
