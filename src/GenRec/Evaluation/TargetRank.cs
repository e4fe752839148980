namespace GenRec.Evaluation;

/// <summary>
/// The rank of a target among scored items, as a stable sort by (score descending, item id
/// ascending) would place it: 0 is the top. Ties are thus broken by item id, never in the
/// target's favour by accident of the sort.
/// </summary>
internal static class TargetRank
{
    public static int RankOf(ReadOnlySpan<float> scores, int target, int firstItem = 1)
    {
        var s = scores[target];
        if (float.IsNaN(s))
        {
            throw new InvalidOperationException($"the score of target item {target} is NaN");
        }

        var rank = 0;
        for (var j = firstItem; j < scores.Length; j++)
        {
            var v = scores[j];
            if (v > s || (v == s && j < target))
            {
                rank++;
            }
        }

        return rank;
    }

    /// <summary>Rank of the target among a candidate list (target included), same tie rule.</summary>
    public static int RankAmong(ReadOnlySpan<float> scores, int target, ReadOnlySpan<int> candidates)
    {
        var s = scores[target];
        if (float.IsNaN(s))
        {
            throw new InvalidOperationException($"the score of target item {target} is NaN");
        }

        var rank = 0;
        foreach (var j in candidates)
        {
            if (j == target)
            {
                continue;
            }

            var v = scores[j];
            if (v > s || (v == s && j < target))
            {
                rank++;
            }
        }

        return rank;
    }
}
